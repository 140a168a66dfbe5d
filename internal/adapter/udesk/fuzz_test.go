package udesk_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/adapter/udesk"
	"github.com/crmlens/crmlens/internal/apperr"
)

// fuzzParse splits a raw query into params and order, keeping repeated
// names in the order (Decode must refuse them) and the last value.
func fuzzParse(raw string) (map[string]string, []string, bool) {
	params := map[string]string{}
	var order []string
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, nil, false
		}
		params[k] = v
		order = append(order, k)
	}
	return params, order, true
}

// rfc3986 percent-encodes all but ALPHA DIGIT - . _ ~, written here byte by
// byte rather than with net/url, so the oracle does not share the code's
// encoder.
func rfc3986(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// validSigns is every sign the documented forms allow for params in order,
// under keys: the oracle a successful Decode is held to.
func validSigns(params map[string]string, order []string, keys ...string) map[string]bool {
	var dec, qe, rfc []string
	for _, k := range order {
		if k == "sign" {
			continue
		}
		dec = append(dec, k+"="+params[k])
		qe = append(qe, strings.ReplaceAll(rfc3986(k), "%20", "+")+"="+strings.ReplaceAll(rfc3986(params[k]), "%20", "+"))
		rfc = append(rfc, rfc3986(k)+"="+rfc3986(params[k]))
	}
	out := map[string]bool{}
	for _, key := range keys {
		for _, s := range []string{strings.Join(dec, "&"), strings.Join(qe, "&"), strings.Join(rfc, "&")} {
			out[md5hex(s+"&"+key)] = true
		}
		if e := params["agent_email"]; e != "" {
			out[md5hex(e+"&timestamp="+params["timestamp"]+"&"+key)] = true
		}
	}
	return out
}

func FuzzUdeskDecode(f *testing.F) {
	u := newUdesk(f, []string{docKey, oldKey}, udesk.Options{Now: at(0)})
	f.Add("customer_token=c-42&cellphone=13800000000&agent_email=demo@test.cn&timestamp=1496631984", uint8(0))
	f.Add("name=%E5%BC%A0+%E4%B8%89&email=a%2Bb%40x.cn&timestamp=1496631984", uint8(1))
	f.Add("customer_token=c&agent_email=demo@test.cn&timestamp=1496631984", uint8(2))
	f.Add("customer_token=c&customer_token=d&timestamp=1496631984", uint8(0))
	f.Add(docURL, uint8(3))
	f.Add("a=1&timestamp=99999999999&sign=zz", uint8(3))
	f.Fuzz(func(t *testing.T, raw string, mode uint8) {
		params, order, ok := fuzzParse(raw)
		if !ok {
			return
		}
		// Sign some inputs properly, so that the claims code is reached.
		signed := order[:0:0]
		for _, k := range order {
			if k != "sign" {
				signed = append(signed, k)
			}
		}
		switch mode % 4 {
		case 0:
			var parts []string
			for _, k := range signed {
				parts = append(parts, k+"="+params[k])
			}
			params["sign"] = md5hex(strings.Join(parts, "&") + "&" + docKey)
		case 1:
			params["sign"] = md5hex(params["agent_email"] + "&timestamp=" + params["timestamp"] + "&" + oldKey)
		case 2:
			var parts []string
			for _, k := range signed {
				parts = append(parts, rfc3986(k)+"="+rfc3986(params[k]))
			}
			params["sign"] = md5hex(strings.Join(parts, "&") + "&" + oldKey)
		}
		c, form, err := u.DecodeForm(params, order)
		if err != nil {
			e := apperr.As(err)
			if e == nil || e.Code == "" || e.Message == "" || e.Kind == apperr.Internal {
				t.Fatalf("Decode returned %v, not a client error", err)
			}
			// Messages may name params (never show values): a secret found
			// in a message must come from a name the input chose.
			names := strings.Join(order, "&")
			for _, secret := range []string{docKey, oldKey, params["sign"]} {
				if len(secret) >= 8 && strings.Contains(e.Message, secret) && !strings.Contains(names, secret) {
					t.Fatalf("message shows a key or the sign: %q", e.Message)
				}
			}
			return
		}
		if !validSigns(params, order, docKey, oldKey)[strings.ToLower(params["sign"])] {
			t.Fatalf("Decode accepted a sign no documented form gives: %q", raw)
		}
		if c.Channel != "udesk" || strings.TrimSpace(c.VisitorID) == "" || len([]rune(c.VisitorID)) > adapter.MaxVisitorID {
			t.Fatalf("bad claims %+v", c)
		}
		if !form.FieldsSigned() && len(c.Verified) > 0 {
			t.Fatalf("form %v signs no field, yet Verified = %v", form, c.Verified)
		}
		if _, ok := c.Extra["sign"]; ok {
			t.Fatal("sign in Extra")
		}
	})
}
