// Package apperr is crmlens's one error type. Domain packages return *Error
// with a Kind (what sort of failure, mapped to an HTTP status in one table in
// internal/server) and a Code plus Message (what the client sees). Anything
// that is not an *Error is internal: logged, and answered "internal error".
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error; internal/server maps each to one HTTP status.
type Kind int

const (
	// Internal is a fault of crmlens or its database, never of the caller.
	Internal Kind = iota
	// Invalid is input the caller can fix (400).
	Invalid
	// NotFound is a missing resource (404).
	NotFound
	// Unauthorized is a missing or bad credential (401).
	Unauthorized
	// Forbidden is a valid credential without the right (403).
	Forbidden
	// Conflict is a write that lost a race or a stale version (409).
	Conflict
	// TooLarge is a body or parameter over its limit (413).
	TooLarge
	// Unprocessable is well-formed input that cannot be used (422).
	Unprocessable
	// RateLimited is too many failures from one client (429).
	RateLimited
	// Unavailable is a dependency, usually the database, that is down (503).
	Unavailable
)

// Error is an error a client may see: Code is stable and machine-readable,
// Message is for a person and says what to do. Message must never contain a
// key, token, ciphertext, phone or email.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	// Err is the underlying cause, for logs and errors.Is; never shown.
	Err error
	// Fields names the request fields at fault, so a form can show the
	// message beside its input; empty when the error is not about a field.
	Fields []FieldError
	// Params are the values Message names (a slug, a field's limit), for
	// clients that word Code in another language; never a key, token,
	// ciphertext, phone or email.
	Params map[string]string
}

// FieldError is one request field at fault and what is wrong with it.
type FieldError struct {
	Field   string
	Message string
}

// OnField returns err with field named as the one at fault (its message
// kept). A non-*Error err is returned as it is: internal errors name no
// field.
func OnField(err error, field string) error {
	e := As(err)
	if e == nil {
		return err
	}
	c := *e
	c.Fields = append(append([]FieldError(nil), e.Fields...), FieldError{Field: field, Message: e.Message})
	return &c
}

// With returns a copy of e with the params kv (name, value, name, value…)
// added.
func (e *Error) With(kv ...string) *Error {
	c := *e
	c.Params = make(map[string]string, len(e.Params)+len(kv)/2)
	for k, v := range e.Params {
		c.Params[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Params[kv[i]] = kv[i+1]
	}
	return &c
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error of kind with code and a message built like fmt.Sprintf.
func New(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap is New with an underlying cause kept for logs.
func Wrap(err error, kind Kind, code, format string, args ...any) *Error {
	e := New(kind, code, format, args...)
	e.Err = err
	return e
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// KindOf returns the Kind of err, Internal when err carries no *Error.
func KindOf(err error) Kind {
	if e := As(err); e != nil {
		return e.Kind
	}
	return Internal
}

// String names the kind, for tests and logs.
func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not_found"
	case Unauthorized:
		return "unauthorized"
	case Forbidden:
		return "forbidden"
	case Conflict:
		return "conflict"
	case TooLarge:
		return "too_large"
	case Unprocessable:
		return "unprocessable"
	case RateLimited:
		return "rate_limited"
	case Unavailable:
		return "unavailable"
	default:
		return "internal"
	}
}
