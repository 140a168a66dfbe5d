package importer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crmlens/crmlens/internal/apperr"
)

// MaxReported is how many line errors the message of a rejected import
// lists; LineErrors holds all of them.
const MaxReported = 50

// CodeInvalid is the apperr code of an import rejected for bad lines.
const CodeInvalid = "import_invalid"

// LineError is one problem on one line of an import file. Line counts from 1
// (a CSV header is line 1); Column names the column at fault, empty when the
// whole line is. Message never quotes a phone or email value.
type LineError struct {
	Line    int
	Column  string
	Message string
}

func (e LineError) String() string {
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// LineErrors is every problem found in a rejected file, ordered by line. It
// is the cause (Err) of the *apperr.Error that Import returns, so callers
// reach it with errors.As.
type LineErrors struct {
	Errors []LineError
}

// Lines is the number of distinct lines with at least one problem.
func (e *LineErrors) Lines() int {
	n, last := 0, 0
	for _, le := range e.Errors {
		if le.Line != last {
			n++
			last = le.Line
		}
	}
	return n
}

func (e *LineErrors) Error() string {
	n, lines := len(e.Errors), e.Lines()
	return fmt.Sprintf("%d %s on %d %s", n, plural(n, "problem", "problems"), lines, plural(lines, "line", "lines"))
}

// report is the message a person reads: a summary, then at most
// MaxReported problems, then how many more there are.
func (e *LineErrors) report() string {
	var b strings.Builder
	lines := e.Lines()
	fmt.Fprintf(&b, "nothing was imported: %d %s with problems", lines, plural(lines, "line", "lines"))
	for i, le := range e.Errors {
		if i == MaxReported {
			rest := len(e.Errors) - MaxReported
			fmt.Fprintf(&b, "\n... and %d more %s", rest, plural(rest, "problem", "problems"))
			break
		}
		b.WriteString("\n")
		b.WriteString(le.String())
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// collector gathers line errors while a file is read and checked.
type collector struct {
	errs []LineError
}

func (c *collector) add(line int, column, format string, args ...any) {
	c.errs = append(c.errs, LineError{Line: line, Column: column, Message: fmt.Sprintf(format, args...)})
}

func (c *collector) empty() bool { return len(c.errs) == 0 }

// err returns the *apperr.Error for the collected problems, nil if none.
func (c *collector) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	// Stable: problems of one line keep the order they were found in.
	slices.SortStableFunc(c.errs, func(a, b LineError) int { return a.Line - b.Line })
	le := &LineErrors{Errors: c.errs}
	e := apperr.New(apperr.Invalid, CodeInvalid, "%s", le.report())
	e.Err = le
	return e
}
