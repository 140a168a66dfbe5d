package udesk_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/adapter/udesk"
	"github.com/crmlens/crmlens/internal/apperr"
)

// The example of Udesk's doc "辅助组件鉴权说明".
const (
	docKey  = "957a542817ebcda1cccacd9a7c1fc711"
	docTS   = 1496631984
	docSign = "cfecf8262c1203fc9aa6ac03f5e16c5a"
	docURL  = "a=1&b=2&c=test&agent_email=1@test.cn&timestamp=1496631984&sign=" + docSign
	oldKey  = "0123456789abcdef0123456789abcdef"
)

var docTime = time.Unix(docTS, 0)

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// parse splits a raw query as a browser's URLSearchParams does: the params
// and their names in order.
func parse(t testing.TB, raw string) (map[string]string, []string) {
	t.Helper()
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
			t.Fatalf("bad test query %q", raw)
		}
		params[k] = v
		order = append(order, k)
	}
	return params, order
}

func at(offset time.Duration) func() time.Time {
	return func() time.Time { return docTime.Add(offset) }
}

func newUdesk(t testing.TB, keys []string, opts udesk.Options) *udesk.Udesk {
	t.Helper()
	u, err := udesk.New(keys, opts)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// wantCode fails unless err is an *apperr.Error with code whose message
// shows none of secrets.
func wantCode(t *testing.T, err error, code string, secrets ...string) *apperr.Error {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	if e.Kind == apperr.Internal {
		t.Fatalf("error %v is internal", err)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(e.Message, s) {
			t.Fatalf("message %q shows %q", e.Message, s)
		}
	}
	return e
}

func TestDocExample(t *testing.T) {
	// The doc's example has no customer_token: take a as the identity.
	u := newUdesk(t, []string{docKey}, udesk.Options{IdentityParam: "a", Now: at(time.Minute)})
	for _, sign := range []string{docSign, strings.ToUpper(docSign)} {
		params, order := parse(t, docURL)
		params["sign"] = sign
		c, form, err := u.DecodeForm(params, order)
		if err != nil {
			t.Fatalf("sign %s: %v", sign, err)
		}
		if form != udesk.FormQuery || !form.FieldsSigned() {
			t.Errorf("form = %v, want query", form)
		}
		if c.Channel != "udesk" || c.VisitorID != "1" || c.Agent.Email != "1@test.cn" {
			t.Errorf("claims = %+v", c)
		}
		want := map[string]string{"b": "2", "c": "test"}
		if fmt.Sprint(c.Extra) != fmt.Sprint(want) || len(c.Verified) != 0 {
			t.Errorf("extra = %v, verified = %v", c.Extra, c.Verified)
		}
	}
	// The sign really is md5 of the query without sign, "&", the key.
	if got := md5hex("a=1&b=2&c=test&agent_email=1@test.cn&timestamp=1496631984&" + docKey); got != docSign {
		t.Fatalf("doc example: %s", got)
	}
}

func TestSignForms(t *testing.T) {
	const ts = "1496631984"
	tests := []struct {
		name   string
		query  string // as in the URL, without sign
		signed string // what Udesk signs, before "&key"
		form   udesk.Form
		want   adapter.Claims
	}{{
		name:   "query decoded, non-ASCII and '+' e-mail",
		query:  "customer_token=c-42&name=%E5%BC%A0%20%E4%B8%89&email=Zh%2Bsan%40Example.cn&cellphone=%2B86%20138-0000-0000&agent_email=agent%40test.cn&timestamp=" + ts,
		signed: "customer_token=c-42&name=张 三&email=Zh+san@Example.cn&cellphone=+86 138-0000-0000&agent_email=agent@test.cn&timestamp=" + ts,
		form:   udesk.FormQuery,
		want: adapter.Claims{VisitorID: "c-42", Agent: adapter.Agent{Email: "agent@test.cn"},
			Verified: map[string]string{"email": "zh+san@example.cn", "phone": "+8613800000000"},
			Extra:    map[string]string{"name": "张 三"}},
	}, {
		name:   "query re-encoded as url.QueryEscape does",
		query:  "customer_token=c-42&name=%E5%BC%A0%20%E4%B8%89&agent_email=agent%40test.cn&timestamp=" + ts,
		signed: "customer_token=c-42&name=%E5%BC%A0+%E4%B8%89&agent_email=agent%40test.cn&timestamp=" + ts,
		form:   udesk.FormQueryEncoded,
		want: adapter.Claims{VisitorID: "c-42", Agent: adapter.Agent{Email: "agent@test.cn"},
			Verified: map[string]string{}, Extra: map[string]string{"name": "张 三"}},
	}, {
		name:   "query re-encoded as RFC 3986 does",
		query:  "customer_token=c-42&name=%E5%BC%A0+%E4%B8%89&agent_email=agent%40test.cn&timestamp=" + ts,
		signed: "customer_token=c-42&name=%E5%BC%A0%20%E4%B8%89&agent_email=agent%40test.cn&timestamp=" + ts,
		form:   udesk.FormQueryEncoded,
		want: adapter.Claims{VisitorID: "c-42", Agent: adapter.Agent{Email: "agent@test.cn"},
			Verified: map[string]string{}, Extra: map[string]string{"name": "张 三"}},
	}, {
		name:   "prose form: only agent and time signed, fields unverified",
		query:  "customer_token=c-42&cellphone=13800000000&agent_email=demo@test.cn&timestamp=" + ts,
		signed: "demo@test.cn&timestamp=" + ts,
		form:   udesk.FormEmailOnly,
		want: adapter.Claims{VisitorID: "c-42", Agent: adapter.Agent{Email: "demo@test.cn"},
			Verified: map[string]string{}, Extra: map[string]string{"cellphone": "13800000000"}},
	}, {
		name:   "no identity param: the visitor is its verified fields",
		query:  "cellphone=13800000000&email=a@b.cn&agent_email=demo@test.cn&timestamp=" + ts,
		signed: "cellphone=13800000000&email=a@b.cn&agent_email=demo@test.cn&timestamp=" + ts,
		form:   udesk.FormQuery,
		want: adapter.Claims{VisitorID: sha256hex("email=a@b.cn\nphone=13800000000"), Agent: adapter.Agent{Email: "demo@test.cn"},
			Verified: map[string]string{"email": "a@b.cn", "phone": "13800000000"}, Extra: map[string]string{}},
	}}
	u := newUdesk(t, []string{docKey}, udesk.Options{Now: at(0)})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params, order := parse(t, tt.query)
			params["sign"] = md5hex(tt.signed + "&" + docKey)
			order = append(order, "sign")
			c, form, err := u.DecodeForm(params, order)
			if err != nil {
				t.Fatal(err)
			}
			if form != tt.form {
				t.Errorf("form = %v, want %v", form, tt.form)
			}
			tt.want.Channel = "udesk"
			if fmt.Sprintf("%+v", c) != fmt.Sprintf("%+v", tt.want) {
				t.Errorf("claims\n got %+v\nwant %+v", c, tt.want)
			}
			// Decode says the same as DecodeForm.
			c2, err := u.Decode(params, order)
			if err != nil || fmt.Sprintf("%+v", c2) != fmt.Sprintf("%+v", c) {
				t.Errorf("Decode = %+v, %v", c2, err)
			}
		})
	}
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestBadSignature: every wrong sign gets the one answer.
func TestBadSignature(t *testing.T) {
	const query = "customer_token=c-42&cellphone=13800000000&agent_email=demo@test.cn&timestamp=1496631984"
	good := md5hex(query + "&" + docKey)
	tests := []struct {
		name   string
		mutate func(params map[string]string, order []string) []string
	}{
		{"wrong key", func(p map[string]string, o []string) []string {
			p["sign"] = md5hex(query + "&" + oldKey)
			return o
		}},
		{"tampered identity", func(p map[string]string, o []string) []string {
			p["customer_token"] = "c-43"
			return o
		}},
		{"tampered phone", func(p map[string]string, o []string) []string {
			p["cellphone"] = "13900000000"
			return o
		}},
		{"tampered agent", func(p map[string]string, o []string) []string {
			p["agent_email"] = "boss@test.cn"
			return o
		}},
		{"tampered timestamp", func(p map[string]string, o []string) []string {
			p["timestamp"] = "1496631985"
			return o
		}},
		{"param added", func(p map[string]string, o []string) []string {
			p["email"] = "x@y.cn"
			return append(o, "email")
		}},
		{"param removed", func(p map[string]string, o []string) []string {
			delete(p, "cellphone")
			return []string{"customer_token", "agent_email", "timestamp"}
		}},
		{"reordered", func(p map[string]string, o []string) []string {
			return []string{"cellphone", "customer_token", "agent_email", "timestamp"}
		}},
		{"key without '&'", func(p map[string]string, o []string) []string {
			p["sign"] = md5hex(query + docKey)
			return o
		}},
		{"prose form with another e-mail", func(p map[string]string, o []string) []string {
			p["sign"] = md5hex("other@test.cn&timestamp=1496631984&" + docKey)
			return o
		}},
	}
	u := newUdesk(t, []string{docKey}, udesk.Options{Now: at(0)})
	var first *apperr.Error
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params, order := parse(t, query)
			params["sign"] = good
			if _, err := u.Decode(params, order); err != nil {
				t.Fatalf("unmutated: %v", err)
			}
			order = tt.mutate(params, order)
			_, err := u.Decode(params, order)
			e := wantCode(t, err, adapter.CodeInvalidToken, docKey, params["sign"], "demo@test.cn", "13800000000")
			if e.Kind != apperr.Unauthorized {
				t.Errorf("kind = %v", e.Kind)
			}
			if first == nil {
				first = e
			} else if e.Message != first.Message {
				t.Errorf("answers differ: %q vs %q", e.Message, first.Message)
			}
		})
	}
}

func TestWindow(t *testing.T) {
	const query = "customer_token=c-42&agent_email=demo@test.cn&timestamp=1496631984"
	tests := []struct {
		name   string
		offset time.Duration // server clock minus timestamp
		code   string
		words  string
	}{
		{"just signed", 0, "", ""},
		{"4:59 old", 4*time.Minute + 59*time.Second, "", ""},
		{"5:00 old", 5 * time.Minute, "", ""},
		{"5:01 old", 5*time.Minute + time.Second, adapter.CodeTokenExpired, "expired"},
		{"a day old", 24 * time.Hour, adapter.CodeTokenExpired, "server's clock reads 2017-06-06T03:06:24Z"},
		{"4:59 ahead", -(4*time.Minute + 59*time.Second), "", ""},
		{"5:01 ahead", -(5*time.Minute + time.Second), adapter.CodeTokenLifetime, "5m1s in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUdesk(t, []string{docKey}, udesk.Options{Now: at(tt.offset)})
			params, order := parse(t, query)
			params["sign"] = md5hex(query + "&" + docKey)
			_, err := u.Decode(params, order)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e := wantCode(t, err, tt.code, docKey, "demo@test.cn")
			if !strings.Contains(e.Message, tt.words) {
				t.Errorf("message %q lacks %q", e.Message, tt.words)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	signed := func(q string) string { return q + "&sign=" + md5hex(q+"&"+docKey) }
	long := strings.Repeat("x", adapter.MaxParamValue+1)
	many := make([]string, 0, adapter.MaxParams+1)
	for i := 0; i <= adapter.MaxParams; i++ {
		many = append(many, fmt.Sprintf("f%d=1", i))
	}
	tests := []struct {
		name  string
		query string
		order []string // nil: the query's
		code  string
		words string
	}{
		{"no sign", "customer_token=c&agent_email=a@b.cn&timestamp=1496631984", nil, adapter.CodeMissingParam, "no sign"},
		{"no sign, order names it", "customer_token=c&timestamp=1496631984", []string{"customer_token", "timestamp", "sign"}, adapter.CodeMissingParam, "no sign"},
		{"empty sign", "customer_token=c&timestamp=1496631984&sign=", nil, adapter.CodeMissingParam, "no sign"},
		{"no timestamp", "customer_token=c&agent_email=a@b.cn&sign=" + docSign, nil, adapter.CodeMissingParam, "no timestamp"},
		{"timestamp not a number", signed("customer_token=c&timestamp=1496631984.5"), nil, adapter.CodeInvalidParam, "timestamp"},
		{"timestamp in ms", signed("customer_token=c&timestamp=1496631984000"), nil, adapter.CodeInvalidParam, "seconds"},
		{"negative timestamp", signed("customer_token=c&timestamp=-1"), nil, adapter.CodeInvalidParam, "timestamp"},
		{"sign not hex", "customer_token=c&timestamp=1496631984&sign=" + strings.Repeat("z", 32), nil, adapter.CodeInvalidParam, "MD5"},
		{"sign too short", "customer_token=c&timestamp=1496631984&sign=cfecf826", nil, adapter.CodeInvalidParam, "MD5"},
		{"duplicate name", signed("customer_token=c&timestamp=1496631984"), []string{"customer_token", "customer_token", "timestamp"}, adapter.CodeInvalidParam, "appears twice"},
		{"order lacks a param", signed("customer_token=c&timestamp=1496631984"), []string{"timestamp"}, adapter.CodeInvalidParam, "missing from the order"},
		{"order names an absent param", signed("customer_token=c&timestamp=1496631984"), []string{"customer_token", "timestamp", "email"}, adapter.CodeInvalidParam, "not among"},
		{"no order", signed("customer_token=c&timestamp=1496631984"), []string{}, adapter.CodeInvalidParam, "missing from the order"},
		{"value too long", "customer_token=" + long + "&timestamp=1496631984&sign=" + docSign, nil, adapter.CodeTooLarge, "customer_token"},
		{"too many params", strings.Join(many, "&") + "&timestamp=1496631984&sign=" + docSign, nil, adapter.CodeTooLarge, "too many"},
		{"no visitor", signed("name=x&agent_email=a@b.cn&timestamp=1496631984"), nil, adapter.CodeMissingParam, "customer_token, email, cellphone"},
		{"prose form without identity", "cellphone=138&agent_email=a@b.cn&timestamp=1496631984&sign=" + md5hex("a@b.cn&timestamp=1496631984&"+docKey), nil, adapter.CodeMissingParam, "covers only agent_email"},
		{"visitor id too long", signed("customer_token=" + strings.Repeat("9", adapter.MaxVisitorID+1) + "&timestamp=1496631984"), nil, adapter.CodeTooLarge, "customer_token"},
		{"phone too long", signed("customer_token=c&cellphone=" + strings.Repeat("1", adapter.MaxVerifiedValue+1) + "&timestamp=1496631984"), nil, adapter.CodeTooLarge, "cellphone"},
	}
	u := newUdesk(t, []string{docKey}, udesk.Options{Now: at(0)})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params, order := parse(t, tt.query)
			if tt.order != nil {
				order = tt.order
			}
			_, err := u.Decode(params, order)
			e := wantCode(t, err, tt.code, docKey, "a@b.cn")
			if !strings.Contains(e.Message, tt.words) {
				t.Errorf("message %q lacks %q", e.Message, tt.words)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	const query = "customer_token=c-42&agent_email=demo@test.cn&timestamp=1496631984"
	u := newUdesk(t, []string{"", docKey, oldKey}, udesk.Options{Now: at(0)})
	for _, tt := range []struct {
		key string
		ok  bool
	}{{docKey, true}, {oldKey, true}, {"ffffffffffffffffffffffffffffffff", false}} {
		params, order := parse(t, query)
		params["sign"] = md5hex(query + "&" + tt.key)
		c, err := u.Decode(params, order)
		if tt.ok && (err != nil || c.VisitorID != "c-42") {
			t.Errorf("key %s: %+v, %v", tt.key, c, err)
		}
		if !tt.ok {
			wantCode(t, err, adapter.CodeInvalidToken)
		}
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		opts udesk.Options
		code string
	}{
		{"no key", nil, udesk.Options{}, adapter.CodeInvalidKey},
		{"only empty keys", []string{"", ""}, udesk.Options{}, adapter.CodeInvalidKey},
		{"key with a space", []string{docKey + " "}, udesk.Options{}, adapter.CodeInvalidKey},
		{"negative window", []string{docKey}, udesk.Options{Window: -time.Second}, adapter.CodeInvalidOption},
		{"window over an hour", []string{docKey}, udesk.Options{Window: 2 * time.Hour}, adapter.CodeInvalidOption},
		{"identity is sign", []string{docKey}, udesk.Options{IdentityParam: "sign"}, adapter.CodeInvalidOption},
		{"identity with a space", []string{docKey}, udesk.Options{IdentityParam: "a b"}, adapter.CodeInvalidOption},
		{"field on timestamp", []string{docKey}, udesk.Options{FieldParams: map[string]string{"phone": "timestamp"}}, adapter.CodeInvalidOption},
		{"field on the identity", []string{docKey}, udesk.Options{FieldParams: map[string]string{"phone": "customer_token"}}, adapter.CodeInvalidOption},
		{"two fields on one param", []string{docKey}, udesk.Options{FieldParams: map[string]string{"phone": "tel", "mobile": "tel"}}, adapter.CodeInvalidOption},
		{"ok", []string{docKey}, udesk.Options{FieldParams: map[string]string{}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := udesk.New(tt.keys, tt.opts)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tt.code, docKey)
		})
	}
}

func TestWithDefaults(t *testing.T) {
	o := udesk.Options{}.WithDefaults()
	if o.IdentityParam != "customer_token" || o.Window != 5*time.Minute || o.Now == nil ||
		fmt.Sprint(o.FieldParams) != "map[email:email phone:cellphone]" {
		t.Fatalf("defaults = %+v", o)
	}
	// An empty map means no matching fields, and stays so.
	if o := (udesk.Options{FieldParams: map[string]string{}}).WithDefaults(); len(o.FieldParams) != 0 {
		t.Fatalf("empty FieldParams became %v", o.FieldParams)
	}
	// Custom field params: a verified "mobile" field.
	u := newUdesk(t, []string{docKey}, udesk.Options{FieldParams: map[string]string{"phone": "mobile"}, Now: at(0)})
	const query = "customer_token=c&mobile=139 0000 0000&cellphone=1&timestamp=1496631984"
	params, order := parse(t, query)
	params["sign"] = md5hex(query + "&" + docKey)
	c, err := u.Decode(params, order)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(c.Verified) != "map[phone:13900000000]" || c.Extra["cellphone"] != "1" {
		t.Fatalf("claims = %+v", c)
	}
}

func TestQueryFormOnly(t *testing.T) {
	const query = "customer_token=c-42&agent_email=demo@test.cn&timestamp=1496631984"
	tests := []struct {
		name   string
		signed string
		strict bool
		ok     bool
	}{
		{"prose form accepted by default", "demo@test.cn&timestamp=1496631984", false, true},
		{"prose form refused", "demo@test.cn&timestamp=1496631984", true, false},
		{"query form still accepted", query, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUdesk(t, []string{docKey}, udesk.Options{QueryFormOnly: tt.strict, Now: at(0)})
			params, order := parse(t, query)
			params["sign"] = md5hex(tt.signed + "&" + docKey)
			c, err := u.Decode(params, order)
			if !tt.ok {
				wantCode(t, err, adapter.CodeInvalidToken)
				return
			}
			if err != nil || c.VisitorID != "c-42" {
				t.Fatalf("%+v, %v", c, err)
			}
		})
	}
}
