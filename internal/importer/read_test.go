package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/valyala/fastjson"
)

// TestReadNDJSONAcrossBatches: lines parsed in parallel batches reach the
// caller in file order with their own line numbers, and so do problems,
// whether a batch boundary falls before, on or after them.
func TestReadNDJSONAcrossBatches(t *testing.T) {
	tests := []struct {
		name      string
		lines     int
		bad       []int // lines that are not JSON
		blank     []int
		tooLong   []int
		noFinalNL bool
	}{
		{name: "one batch", lines: 10, bad: []int{1, 10}},
		{name: "boundaries", lines: 1300, bad: []int{2, 512, 513, 1024, 1025, 1300}, blank: []int{700}},
		{name: "too long and no final newline", lines: 600, bad: []int{599}, tooLong: []int{511}, noFinalNL: true},
		{name: "empty", lines: 0},
	}
	spec, err := lookupObject("accounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			var wantRecs, wantErrs []int
			for n := 1; n <= tt.lines; n++ {
				switch {
				case slices.Contains(tt.bad, n):
					b.WriteString(`{"external_id": "A`)
					wantErrs = append(wantErrs, n)
				case slices.Contains(tt.blank, n):
					b.WriteString("   ")
				case slices.Contains(tt.tooLong, n):
					b.WriteString(`{"external_id":"` + strings.Repeat("x", maxLine+10) + `"}`)
					wantErrs = append(wantErrs, n)
				default:
					fmt.Fprintf(&b, `{"external_id":"A%d","name":"n"}`, n)
					wantRecs = append(wantRecs, n)
				}
				if n < tt.lines || !tt.noFinalNL {
					b.WriteString("\n")
				}
			}
			errs := &collector{}
			var gotRecs []int
			err := readRecords(context.Background(), strings.NewReader(b.String()), NDJSON, spec, errs, func(r *record) {
				if v, _ := r.get(spec, "external_id"); v != fmt.Sprint("A", r.line) {
					t.Errorf("line %d carries %q", r.line, v)
				}
				gotRecs = append(gotRecs, r.line)
			})
			if err != nil {
				t.Fatal(err)
			}
			var gotErrs []int
			for _, e := range errs.errs {
				gotErrs = append(gotErrs, e.Line)
			}
			if !slices.Equal(gotRecs, wantRecs) {
				t.Errorf("records from lines %v, want %v", short(gotRecs), short(wantRecs))
			}
			if !slices.Equal(gotErrs, wantErrs) {
				t.Errorf("problems on lines %v, want %v", gotErrs, wantErrs)
			}
		})
	}
}

func TestReadNDJSONStopsWhenCancelled(t *testing.T) {
	spec, _ := lookupObject("accounts")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	body := strings.Repeat(`{"external_id":"A","name":"n"}`+"\n", 10000)
	err := readRecords(ctx, strings.NewReader(body), NDJSON, spec, &collector{}, func(*record) {})
	if err == nil {
		t.Fatal("a cancelled read returned no error")
	}
}

// short abbreviates a long list of line numbers for a message.
func short(lines []int) string {
	if len(lines) <= 12 {
		return fmt.Sprint(lines)
	}
	return fmt.Sprintf("%v ... %v (%d)", lines[:6], lines[len(lines)-6:], len(lines))
}

func TestJSONScalar(t *testing.T) {
	tests := []struct {
		raw        string
		want       string
		isNull, ok bool
	}{
		{`"plain 张伟"`, "plain 张伟", false, true},
		{`"a\"b"`, `a"b`, false, true},
		{`"caf\u00e9"`, "café", false, true},
		{`"tab\there"`, "tab\there", false, true},
		{"\"bad \xff byte\"", "bad \ufffd byte", false, true}, // as encoding/json decodes it
		{`""`, "", false, true},
		{`12.50`, "12.50", false, true},
		{`-3`, "-3", false, true},
		{`null`, "", true, true},
		{`true`, "", false, false},
		{`{"a":1}`, "", false, false},
		{`["x"]`, "", false, false},
		{` "spaced" `, "spaced", false, true},
	}
	for _, tt := range tests {
		var p fastjson.Parser
		raw, err := p.Parse(tt.raw)
		if err != nil {
			t.Fatalf("parse %q: %v", tt.raw, err)
		}
		v, isNull, ok := jsonScalar(raw)
		if v != tt.want || isNull != tt.isNull || ok != tt.ok {
			t.Errorf("jsonScalar(%q) = %q, %v, %v; want %q, %v, %v", tt.raw, v, isNull, ok, tt.want, tt.isNull, tt.ok)
		}
	}
}
