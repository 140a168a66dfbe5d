package importer

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/valyala/fastjson"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
)

// The limits of one sync request (docs/sync.md). A request of 1,000
// contacts with two identities each is about 250 KB of NDJSON; 8 MiB leaves
// room for custom fields and long names, and MaxSyncRecords keeps one
// request's transaction (and the locks it holds) short. Bigger loads are
// several requests, or `crmlens import`.
const (
	MaxSyncBytes   = 8 << 20
	MaxSyncRecords = 5000
)

// syncAttempts bounds how often Sync runs a request's transaction when a
// concurrent request on the same records made it fail (a deadlock, or a key
// the other request wrote first): each retry sees what the other committed.
const syncAttempts = 4

// Codes of Sync's and Delete's errors.
const (
	// CodeSyncInvalid: records with problems (Unprocessable, 422); the
	// cause is a *LineErrors.
	CodeSyncInvalid = "sync_invalid"
	// CodeSyncTooLarge: more than MaxSyncBytes or MaxSyncRecords (413).
	CodeSyncTooLarge = "sync_too_large"
	// CodeSyncFormat: a Content-Type that is neither NDJSON nor JSON
	// (Invalid, 400).
	CodeSyncFormat = "sync_format"
	// CodeSyncObject: an object the sync API does not know (404).
	CodeSyncObject = "sync_object"
	// CodeSyncNotFound: Delete of an external_id that is not there (404).
	CodeSyncNotFound = "sync_not_found"
	// CodeSyncReferenced: Delete of a record others still point at (409).
	CodeSyncReferenced = "sync_referenced"
	// CodeSyncConflict: a key clash the database found (409).
	CodeSyncConflict = "sync_conflict"
)

// SyncResult says what one sync request did. Records = Created + Updated +
// Unchanged + Skipped.
type SyncResult struct {
	Object  string
	Records int
	Created int
	Updated int
	// Unchanged counts records whose updated_at equals the stored row's:
	// the same version delivered again, not written.
	Unchanged int
	// Skipped counts records whose updated_at is older than the stored
	// row's: an out-of-order delivery, not written.
	Skipped int
	// Identities counts the identities of the written contacts.
	Identities int
}

// SyncFormat is the Format of a sync request's Content-Type:
// application/x-ndjson (or application/ndjson, application/jsonl) is
// NDJSON, application/json a JSON array.
func SyncFormat(contentType string) (Format, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	switch {
	case err != nil:
	case mt == "application/x-ndjson", mt == "application/ndjson", mt == "application/jsonl", mt == "application/x-jsonlines":
		return NDJSON, nil
	case mt == "application/json":
		return JSONArray, nil
	}
	return 0, apperr.New(apperr.Invalid, CodeSyncFormat,
		"send the records as NDJSON (Content-Type: application/x-ndjson, one object per line) or as a JSON array (Content-Type: application/json)")
}

// syncSpec is the object of a sync route, by its plural name.
func syncSpec(object string) (*objectSpec, error) {
	if !slices.Contains(Objects(), object) {
		return nil, apperr.New(apperr.NotFound, CodeSyncObject, "there is no sync object %q: the objects are %s",
			truncate(object, 40), strings.Join(Objects(), ", "))
	}
	return lookupObject(object)
}

// Sync writes one sync request's records of object (a plural name, as in
// Objects) read from r in format (NDJSON or JSONArray), with the columns
// and checks of an import (docs/import.md) plus updated_at on every object
// but agents: upserting by external_id (agents: platform and
// platform_id), all or nothing, in one transaction.
//
// A record whose updated_at is older than the stored row's is skipped, one
// whose updated_at equals it is unchanged (the same version again); neither
// is written, and both are counted. A record without updated_at is always
// written and gets the time of the request. Records with problems write
// nothing and return an Unprocessable error (CodeSyncInvalid) whose cause
// is a *LineErrors naming each line (for a JSON array: each element's
// position, from 1) and column. A body over MaxSyncBytes or
// MaxSyncRecords is TooLarge. who is the audit event of the request (its
// Actor, the token's, and RequestID): Sync records it, as sync.upsert
// with the counts, in the same transaction.
//
// Sync never takes the bulk-load path and is safe to run concurrently with
// itself on the same records: the unique keys decide, and a transaction
// that lost a race to another is run again (up to syncAttempts times),
// reading what the other committed.
func (im *Importer) Sync(ctx context.Context, object string, r io.Reader, format Format, who audit.Event) (SyncResult, error) {
	spec, err := syncSpec(object)
	if err != nil {
		return SyncResult{}, err
	}
	if format != NDJSON && format != JSONArray {
		return SyncResult{}, apperr.New(apperr.Invalid, CodeSyncFormat, "unknown sync format %s: use NDJSON or a JSON array", format)
	}
	if spec.name != "agents" && spec.index("updated_at") < 0 {
		spec.columns = append(spec.columns, column{name: "updated_at"})
	}
	if err := im.addCustomColumns(ctx, spec); err != nil {
		return SyncResult{}, err
	}
	body, err := io.ReadAll(io.LimitReader(r, MaxSyncBytes+1))
	if err != nil {
		return SyncResult{}, fmt.Errorf("sync %s: read the request: %w", spec.name, err)
	}
	if len(body) > MaxSyncBytes {
		return SyncResult{}, apperr.New(apperr.TooLarge, CodeSyncTooLarge,
			"nothing was written: the body is over %d bytes (%d MiB); send the records in several requests", MaxSyncBytes, MaxSyncBytes>>20)
	}
	errs := &collector{}
	var recs []*record
	if err := readRecords(ctx, bytes.NewReader(body), format, spec, errs, func(rec *record) { recs = append(recs, rec) }); err != nil {
		return SyncResult{}, fmt.Errorf("sync %s: %w", spec.name, err)
	}
	if len(recs) > MaxSyncRecords {
		return SyncResult{}, apperr.New(apperr.TooLarge, CodeSyncTooLarge,
			"nothing was written: the request has %d records, at most %d are allowed; send them in several requests", len(recs), MaxSyncRecords)
	}
	now := im.now().Truncate(time.Millisecond)
	// Every record is checked before the transaction, stale ones too, so
	// that a bad record is reported whatever the database holds.
	h := spec.newHandler(now, im.norm)
	for _, rec := range recs {
		h.add(&checker{rec: rec, spec: spec, errs: errs, ok: !rec.bad})
	}
	if !errs.empty() {
		return SyncResult{}, syncInvalid(errs, format)
	}
	for attempt := 1; ; attempt++ {
		res, err := im.syncOnce(ctx, spec, recs, now, who, h)
		h = nil // resolve and write changed it: a retry checks afresh
		if err == nil {
			return res, nil
		}
		if attempt < syncAttempts && lostRace(err) && ctx.Err() == nil {
			continue
		}
		var le *LineErrors
		if errors.As(err, &le) {
			return SyncResult{}, syncInvalid(&collector{errs: le.Errors}, format)
		}
		return SyncResult{}, syncFailure(spec, err)
	}
}

// syncOnce runs one attempt of a sync request's transaction. checked, if
// not nil, is a handler that has checked every record of recs and not yet
// resolved them: it is used when no record is stale, saving a second check.
func (im *Importer) syncOnce(ctx context.Context, spec *objectSpec, recs []*record, now time.Time, who audit.Event, checked handler) (SyncResult, error) {
	var res SyncResult
	err := im.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := newWriter(tx)
		if err != nil {
			return err
		}
		defer w.close()
		fresh, unchanged, skipped, err := dropStale(w, spec, recs)
		if err != nil {
			return err
		}
		h, errs := checked, &collector{}
		if h == nil || len(fresh) < len(recs) {
			h = spec.newHandler(now, im.norm)
			for _, rec := range fresh {
				h.add(&checker{rec: rec, spec: spec, errs: errs, ok: !rec.bad})
			}
		}
		if err := h.resolve(w, errs); err != nil {
			return err
		}
		if err := errs.err(); err != nil {
			return err
		}
		written, err := h.write(w, im.batch)
		if err != nil {
			return err
		}
		res = SyncResult{Object: spec.name, Records: len(recs), Created: written.Created, Updated: written.Updated,
			Unchanged: unchanged, Skipped: skipped, Identities: written.Identities}
		ev := who
		ev.Action = audit.ActionSyncUpsert
		ev.At = now
		ev.Detail = map[string]string{"object": spec.name, "records": strconv.Itoa(res.Records), "created": strconv.Itoa(res.Created),
			"updated": strconv.Itoa(res.Updated), "unchanged": strconv.Itoa(res.Unchanged), "skipped": strconv.Itoa(res.Skipped)}
		if err := audit.New(tx).Record(ctx, ev); err != nil {
			return fmt.Errorf("record the sync: %w", err)
		}
		return nil
	}, syncTxOptions(im.db)...)
	return res, err
}

// syncTxOptions runs a sync transaction READ COMMITTED on MySQL: its
// reads after a wait on another request's locks see what that request
// committed, and its lookups of missing keys take no gap locks (which make
// concurrent requests adding new records deadlock each other). MariaDB's
// default binlog_format (MIXED) allows it. SQLite has one writer at a time.
func syncTxOptions(db *gorm.DB) []*sql.TxOptions {
	if db.Dialector != nil && db.Dialector.Name() == "mysql" {
		return []*sql.TxOptions{{Isolation: sql.LevelReadCommitted}}
	}
	return nil
}

// lostRace says err is a concurrent transaction's doing: a deadlock or a
// lock wait timeout (MySQL errors 1213 and 1205), or a unique key the
// other wrote first.
func lostRace(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205) {
		return true
	}
	return errors.Is(err, gorm.ErrDuplicatedKey)
}

// staleRow is a stored row's external_id and updated_at.
type staleRow struct {
	ExternalID string
	UpdatedAt  time.Time
}

// dropStale returns the records to write: those without updated_at, or
// with one after the stored row's. It counts the others as unchanged
// (equal) and skipped (older). On MySQL the stored rows are locked until
// the commit (FOR UPDATE), so the comparison holds until then.
func dropStale(w *writer, spec *objectSpec, recs []*record) (fresh []*record, unchanged, skipped int, err error) {
	if spec.index("updated_at") < 0 || spec.index("external_id") < 0 {
		return recs, 0, 0, nil
	}
	given := make(map[*record]time.Time)
	var exts []string
	for _, rec := range recs {
		if v, ok := rec.get(spec, "updated_at"); ok && v != "" {
			c := &checker{rec: rec, spec: spec, errs: &collector{}, ok: true}
			given[rec] = c.timeAt("updated_at")
			ext, _ := rec.get(spec, "external_id")
			exts = append(exts, ext)
		}
	}
	if len(exts) == 0 {
		return recs, 0, 0, nil
	}
	stored := make(map[string]time.Time, len(exts))
	for chunk := range slices.Chunk(exts, lookupChunk) {
		var rows []staleRow
		q := w.tx.Table(spec.name).Select("external_id", "updated_at").Where("external_id IN ?", chunk)
		if w.tx.Dialector.Name() == "mysql" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Find(&rows).Error; err != nil {
			return nil, 0, 0, fmt.Errorf("read the stored updated_at of %s: %w", spec.name, err)
		}
		for _, r := range rows {
			stored[fold(r.ExternalID)] = r.UpdatedAt.UTC()
		}
	}
	fresh = make([]*record, 0, len(recs))
	for _, rec := range recs {
		t, dated := given[rec]
		ext, _ := rec.get(spec, "external_id")
		if s, ok := stored[fold(ext)]; dated && ok {
			switch {
			case t.Before(s):
				skipped++
				continue
			case t.Equal(s):
				unchanged++
				continue
			}
		}
		fresh = append(fresh, rec)
	}
	return fresh, unchanged, skipped, nil
}

// syncInvalid is the Unprocessable error of a request with bad records:
// its message lists the first MaxReported problems, Fields has them by
// column, and the cause is the *LineErrors with all of them.
func syncInvalid(errs *collector, format Format) error {
	slices.SortStableFunc(errs.errs, func(a, b LineError) int { return a.Line - b.Line })
	le := &LineErrors{Errors: errs.errs}
	label := "line"
	if format == JSONArray {
		label = "record"
	}
	lines := le.Lines()
	var b strings.Builder
	fmt.Fprintf(&b, "nothing was written: %d %s with problems", lines, plural(lines, label, label+"s"))
	e := &apperr.Error{Kind: apperr.Unprocessable, Code: CodeSyncInvalid, Err: le}
	for i, p := range le.Errors {
		if i == MaxReported {
			rest := len(le.Errors) - MaxReported
			fmt.Fprintf(&b, "\n... and %d more %s", rest, plural(rest, "problem", "problems"))
			break
		}
		msg := fmt.Sprintf("%s %d: %s", label, p.Line, p.Message)
		b.WriteString("\n" + msg)
		e.Fields = append(e.Fields, apperr.FieldError{Field: p.Column, Message: msg})
	}
	e.Message = b.String()
	return e
}

// syncFailure is the error Sync returns for a failed transaction.
func syncFailure(spec *objectSpec, err error) error {
	switch {
	case apperr.As(err) != nil:
		return err
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return apperr.Wrap(err, apperr.Conflict, CodeSyncConflict,
			"nothing was written: two of the request's external ids or identities are the same to the database, which ignores case and accents "+
				"(e.g. Cafe-1 and café-1), or other requests kept writing them meanwhile; make them distinct and send the request again")
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return apperr.Wrap(err, apperr.Conflict, CodeSyncConflict,
			"nothing was written: a referenced account or contact was deleted meanwhile; send the request again")
	default:
		return fmt.Errorf("sync %s: %w", spec.name, err)
	}
}

// readJSONArray reads one JSON array of record objects and calls fn for
// each, in order; a record's line is its position in the array, from 1.
func readJSONArray(ctx context.Context, br *bufio.Reader, spec *objectSpec, errs *collector, fn func(*record)) error {
	dec := json.NewDecoder(br)
	dec.UseNumber()
	tok, err := dec.Token()
	if d, ok := tok.(json.Delim); err != nil || !ok || d != '[' {
		errs.add(1, "", "the body must be a JSON array of objects ([{\"external_id\": ...}, ...]) with Content-Type: application/json, or NDJSON with Content-Type: application/x-ndjson")
		return nil
	}
	var p fastjson.Parser
	for i := 1; dec.More(); i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			errs.add(i, "", "record %d is not valid JSON (%s)", i, jsonProblem(err))
			return nil
		}
		if rec := parseJSONLine(i, raw, spec, errs, &p); rec != nil {
			fn(rec)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ]
		errs.add(1, "", "the JSON array is not closed (%s)", jsonProblem(err))
		return nil
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		errs.add(1, "", "there is more after the JSON array; send one array per request")
	}
	return nil
}

// jsonProblem describes a decoding error without the data around it.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the body ends early"
	}
	return "malformed"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
