package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/apperr"
)

// sessionRequest is the body of POST /api/v1/sidebar/sessions
// (api.SessionRequest) with params read in order: the sidebar page builds
// the object from the URL's query in the URL's order, and some platforms
// sign the query as written (Udesk), so the order is part of what the
// platform sent.
type sessionRequest struct {
	Integration string        `json:"integration"`
	Params      orderedParams `json:"params"`
}

// orderedParams is a JSON object of strings read member by member: values,
// the names in order, and whether the member was there at all (null is
// absent).
type orderedParams struct {
	present bool
	values  map[string]string
	order   []string
}

// Params are the members as adapter.Params.
func (p orderedParams) Params() adapter.Params {
	return adapter.Params{Values: p.values, Order: p.order}
}

// UnmarshalJSON walks the object's tokens so that the members' order is
// kept; a name given twice, or a value that is not a string, is refused
// with a 400 naming it. The body's size is bounded before (MaxBodyBytes),
// the number and size of params after, by the adapters (adapter.CheckSize).
func (p *orderedParams) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*p = orderedParams{}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return apperr.New(apperr.Invalid, "invalid_json", `"params" must be an object of strings: the query parameters the platform appended`)
	}
	out := orderedParams{present: true, values: map[string]string{}, order: []string{}}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return apperr.New(apperr.Invalid, "invalid_json", "the request body is not valid JSON")
		}
		name, _ := t.(string) // object keys are always strings
		var value string
		if err := dec.Decode(&value); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return apperr.New(apperr.Invalid, "invalid_json", "params.%s must be a string", adapter.Truncate(name, adapter.MaxParamName))
			}
			return apperr.New(apperr.Invalid, "invalid_json", "the request body is not valid JSON")
		}
		if _, dup := out.values[name]; dup {
			return apperr.OnField(apperr.New(apperr.Invalid, "duplicate_param",
				"params names %q twice; send each query parameter once, as the platform appended it", adapter.Truncate(name, adapter.MaxParamName)), "params")
		}
		out.values[name] = value
		out.order = append(out.order, name)
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		return apperr.New(apperr.Invalid, "invalid_json", "the request body is not valid JSON")
	}
	*p = out
	return nil
}
