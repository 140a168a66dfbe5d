package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"github.com/crmlens/crmlens/internal/apperr"
)

// Format is the encoding of an import file.
type Format int

const (
	// NDJSON is one JSON object per line (.ndjson, .jsonl).
	NDJSON Format = iota + 1
	// CSV is a header row of column names, then one record per row (.csv).
	CSV
	// JSONArray is one JSON array of objects, for sync requests (Sync)
	// only; a record's "line" is its position in the array, from 1.
	JSONArray
)

func (f Format) String() string {
	switch f {
	case NDJSON:
		return "ndjson"
	case CSV:
		return "csv"
	case JSONArray:
		return "json"
	default:
		return fmt.Sprintf("Format(%d)", int(f))
	}
}

// FormatFromName picks the format from a file name's extension: .ndjson and
// .jsonl are NDJSON, .csv is CSV (in any letter case).
func FormatFromName(filename string) (Format, error) {
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".ndjson", ".jsonl":
		return NDJSON, nil
	case ".csv":
		return CSV, nil
	default:
		return 0, apperr.New(apperr.Invalid, "import_format",
			"cannot tell the format of %q from its extension: use .csv, .ndjson or .jsonl", filepath.Base(filename))
	}
}

// maxLine bounds one NDJSON line, so a file without newlines cannot take all
// memory.
const maxLine = 1 << 20

// record is one line of a file before its object checks it: the columns it
// has (absent columns are missing from vals; a JSON null counts as absent),
// with surrounding spaces trimmed.
type record struct {
	line int
	// vals holds the columns' values by their position in the spec's
	// columns (a slice, not a map: one allocation per record).
	vals []field
	// identities is the NDJSON list form of the identities column; the CSV
	// (and NDJSON string) form is vals["identities"].
	identities    []identity
	hasIdentities bool
	// bad is set when the reader already reported a problem of this line;
	// the object still checks the other columns but keeps nothing.
	bad bool
}

// field is one column's value in a record; ok says the column was there.
type field struct {
	v  string
	ok bool
}

func newRecord(line int, spec *objectSpec) *record {
	return &record{line: line, vals: make([]field, len(spec.columns))}
}

// set gives column i the value v.
func (r *record) set(i int, v string) { r.vals[i] = field{v: v, ok: true} }

// get returns the value of the column name and whether the record has it.
func (r *record) get(spec *objectSpec, name string) (string, bool) {
	if i := spec.index(name); i >= 0 {
		return r.vals[i].v, r.vals[i].ok
	}
	return "", false
}

// identity is one (channel, external id) of a contact.
type identity struct {
	Channel    string
	ExternalID string
}

// columnLabel names a column in a message. A header cell that does not look
// like a column name may be data (a file without a header row starts with a
// record), so it is described by position instead of quoted.
func columnLabel(name string, pos int) string {
	if looksLikeColumnName(name) {
		return fmt.Sprintf("%q", name)
	}
	if pos > 0 {
		return fmt.Sprintf("#%d (not shown: it does not look like a column name; does the file start with a header row?)", pos)
	}
	return "(not shown: it does not look like a column name)"
}

// safeName is name for LineError.Column, or "" when it may be data.
func safeName(name string) string {
	if looksLikeColumnName(name) {
		return name
	}
	return ""
}

func looksLikeColumnName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// readRecords streams r in format and calls fn for each record. Problems of
// the file's content go to errs; the returned error is a failure to read.
func readRecords(ctx context.Context, r io.Reader, format Format, spec *objectSpec, errs *collector, fn func(*record)) error {
	br := bufio.NewReaderSize(r, 256<<10)
	// Spreadsheet programs start UTF-8 files with a byte order mark.
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	switch format {
	case NDJSON:
		return readNDJSON(ctx, br, spec, errs, fn)
	case CSV:
		return readCSV(ctx, br, spec, errs, fn)
	case JSONArray:
		return readJSONArray(ctx, br, spec, errs, fn)
	default:
		return apperr.New(apperr.Invalid, "import_format", "unknown import format %d: use csv or ndjson", int(format))
	}
}

// readNDJSON reads lines on this goroutine's behalf in another, parses them
// in batches on every core, and hands the records to fn (and their problems
// to errs) here, in file order: JSON decoding is most of an import's own
// CPU, and the records' checks (fn) run meanwhile.
func readNDJSON(ctx context.Context, br *bufio.Reader, spec *objectSpec, errs *collector, fn func(*record)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *lineBatch, workers)
	inOrder := make(chan *lineBatch, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var p fastjson.Parser
			for b := range jobs {
				b.parse(spec, &p)
				close(b.done)
			}
		}()
	}
	var readErr error
	go func() {
		defer close(jobs)
		defer close(inOrder)
		readErr = batchLines(ctx, br, func(b *lineBatch) bool {
			// inOrder first: the consumer waits on batches in the order sent.
			select {
			case inOrder <- b:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- b:
				return true
			case <-ctx.Done():
				close(b.done) // never parsed: the consumer must not wait
				return false
			}
		})
	}()
	for b := range inOrder {
		<-b.done
		for _, rec := range b.recs {
			fn(rec)
		}
		errs.errs = append(errs.errs, b.errs.errs...)
	}
	wg.Wait()
	if readErr == nil {
		readErr = ctx.Err()
	}
	return readErr
}

// lineBatch is a run of consecutive NDJSON lines parsed together.
type lineBatch struct {
	first   int    // the number of the first line
	data    []byte // the lines' bytes, back to back
	ends    []int  // where each line ends in data
	tooLong []bool // lines longer than maxLine (kept empty)
	done    chan struct{}
	recs    []*record
	errs    collector
}

// batchLines reads br's lines into batches of up to batchLines lines or
// batchBytes bytes and gives each to send, until the end of the input, a
// read error, or send returning false.
func batchLines(ctx context.Context, br *bufio.Reader, send func(*lineBatch) bool) error {
	const batchLines, batchBytes = 512, 1 << 20
	var buf []byte
	b := &lineBatch{first: 1, done: make(chan struct{})}
	flush := func(next int) bool {
		if len(b.ends) == 0 {
			return true
		}
		ok := send(b)
		b = &lineBatch{first: next, done: make(chan struct{})}
		return ok
	}
	for line := 1; ; line++ {
		if line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		l, tooLong, err := readLine(br, buf[:0])
		buf = l
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read line %d: %w", line, err)
		}
		if err != nil && len(l) == 0 && !tooLong { // io.EOF after the last newline
			flush(line)
			return nil
		}
		b.data = append(b.data, l...)
		b.ends = append(b.ends, len(b.data))
		b.tooLong = append(b.tooLong, tooLong)
		if err != nil { // io.EOF
			flush(line + 1)
			return nil
		}
		if len(b.ends) >= batchLines || len(b.data) >= batchBytes {
			if !flush(line + 1) {
				return ctx.Err()
			}
		}
	}
}

// parse turns the batch's lines into records, its problems into b.errs.
func (b *lineBatch) parse(spec *objectSpec, p *fastjson.Parser) {
	start := 0
	for i, end := range b.ends {
		line, l := b.first+i, b.data[start:end]
		start = end
		switch {
		case b.tooLong[i]:
			b.errs.add(line, "", "line is longer than %d bytes", maxLine)
		case len(bytes.TrimSpace(l)) > 0:
			if rec := parseJSONLine(line, l, spec, &b.errs, p); rec != nil {
				b.recs = append(b.recs, rec)
			}
		}
	}
}

// readLine reads one line into buf (without its newline), reporting lines
// longer than maxLine instead of keeping them.
func readLine(br *bufio.Reader, buf []byte) ([]byte, bool, error) {
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong && len(buf)+len(chunk) <= maxLine+1 {
			buf = append(buf, chunk...)
		} else {
			tooLong = true
			buf = buf[:0]
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimSuffix(buf, []byte{'\n'}), tooLong, err
	}
}

// parseJSONLine turns one NDJSON line into a record. fastjson checks the
// line's syntax (its validator is as strict as encoding/json's, but for
// control characters inside strings, which it lets through as the text
// they are) and parses it, several times faster than encoding/json decodes
// a line into a map, allocating only the values kept (p is reused line
// after line). A line it refuses goes through encoding/json, whose
// message says what is wrong without quoting the line.
func parseJSONLine(line int, b []byte, spec *objectSpec, errs *collector, p *fastjson.Parser) *record {
	if fastjson.ValidateBytes(b) != nil {
		var v any
		err := json.Unmarshal(b, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			errs.add(line, "", "not valid JSON (%s at byte %d)", se.Error(), se.Offset)
		} else {
			errs.add(line, "", "not valid JSON")
		}
		return nil
	}
	v, err := p.ParseBytes(b)
	if err != nil {
		errs.add(line, "", "not valid JSON")
		return nil
	}
	obj, err := v.Object()
	if err != nil { // an array, a string, null, ...
		errs.add(line, "", "must be one JSON object ({\"column\": value, ...})")
		return nil
	}
	rec := newRecord(line, spec)
	obj.Visit(func(k []byte, raw *fastjson.Value) {
		idx := spec.index(string(k))
		if idx < 0 {
			key := string(k)
			errs.add(line, safeName(key), "unknown column %s for %s (columns: %s)", columnLabel(key, 0), spec.name, spec.columnList())
			rec.bad = true
			return
		}
		col := &spec.columns[idx]
		key := col.name
		if col.identities && raw.Type() == fastjson.TypeArray {
			list, ok := parseJSONIdentities(line, raw, errs)
			if !ok {
				rec.bad = true
				return
			}
			rec.identities, rec.hasIdentities = list, true
			return
		}
		v, isNull, ok := jsonScalar(raw)
		switch {
		case !ok && col.identities:
			errs.add(line, key, "%s must be a list of {\"channel\": ..., \"external_id\": ...} objects", key)
			rec.bad = true
		case !ok:
			errs.add(line, key, "%s must be a string or a number", key)
			rec.bad = true
		case isNull:
			// null is the same as leaving the column out
		case col.identities:
			rec.set(idx, strings.TrimSpace(v))
			rec.hasIdentities = true
		default:
			rec.set(idx, strings.TrimSpace(v))
		}
	})
	return rec
}

// jsonScalar returns a JSON string's value or a number's literal text. ok is
// false for booleans, objects and arrays.
func jsonScalar(v *fastjson.Value) (s string, isNull, ok bool) {
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return validUTF8(b), false, true
	case fastjson.TypeNumber:
		return string(v.MarshalTo(nil)), false, true
	case fastjson.TypeNull:
		return "", true, true
	default:
		return "", false, false
	}
}

// validUTF8 is b as a string with each byte that is not part of valid
// UTF-8 replaced by U+FFFD, as encoding/json decodes strings.
func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	return sb.String()
}

func parseJSONIdentities(line int, raw *fastjson.Value, errs *collector) ([]identity, bool) {
	items, _ := raw.Array()
	ok := true
	list := make([]identity, 0, len(items))
	for i, item := range items {
		obj, err := item.Object()
		if err != nil {
			errs.add(line, "identities", "identities must be a list of {\"channel\": ..., \"external_id\": ...} objects")
			return nil, false
		}
		var id identity
		obj.Visit(func(k []byte, v *fastjson.Value) {
			s, isNull, good := jsonScalar(v)
			key := string(k)
			if !good {
				errs.add(line, "identities", "identities entry #%d: %s must be a string", i+1, columnLabel(key, 0))
				ok = false
				return
			}
			if isNull {
				return
			}
			switch key {
			case "channel":
				id.Channel = s
			case "external_id":
				id.ExternalID = s
			default:
				errs.add(line, "identities", "identities entry #%d: unknown key %s (keys: channel, external_id)", i+1, columnLabel(key, 0))
				ok = false
			}
		})
		list = append(list, id)
	}
	return list, ok
}

func readCSV(ctx context.Context, br *bufio.Reader, spec *objectSpec, errs *collector, fn func(*record)) error {
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil // an empty file holds no records
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			errs.add(1, "", "the header row is not valid CSV: %v", pe.Err)
			return nil
		}
		return fmt.Errorf("read CSV header: %w", err)
	}
	names := make([]string, len(header))
	seen := map[string]bool{}
	headerOK := true
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		names[i] = name
		switch {
		case name == "":
			errs.add(1, "", "column #%d of the header row has no name", i+1)
			headerOK = false
		case spec.column(name) == nil:
			errs.add(1, safeName(name), "unknown column %s for %s (columns: %s)", columnLabel(name, i+1), spec.name, spec.columnList())
			headerOK = false
		case seen[name]:
			errs.add(1, name, "column %q appears twice in the header row", name)
			headerOK = false
		}
		seen[name] = true
	}
	for _, col := range spec.columns {
		if col.required && !seen[col.name] {
			errs.add(1, col.name, "the header row lacks the required column %q", col.name)
			headerOK = false
		}
	}
	if !headerOK {
		// Rows read with a wrong header would only repeat the problem.
		return nil
	}
	cols := make([]int, len(names)) // header position → spec column
	for i, name := range names {
		cols[i] = spec.index(name)
	}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return fmt.Errorf("read CSV: %w", err)
			}
			if errors.Is(err, csv.ErrFieldCount) {
				errs.add(pe.StartLine, "", "has %d %s, the header row has %d", len(row), plural(len(row), "field", "fields"), len(names))
			} else {
				errs.add(pe.StartLine, "", "not valid CSV: %v", pe.Err)
			}
			continue
		}
		rec := newRecord(line, spec)
		for i, v := range row {
			rec.set(cols[i], strings.TrimSpace(v))
			if names[i] == "identities" {
				rec.hasIdentities = true
			}
		}
		fn(rec)
	}
}
