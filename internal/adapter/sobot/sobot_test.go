package sobot_test

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/adapter/sobot"
	"github.com/crmlens/crmlens/internal/apperr"
)

const (
	sysNum  = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
	key     = "Sobot-Secret-Key-1"
	oldKey  = "Sobot-Secret-Key-0"
	tsMilli = int64(1700000000123)
	agent   = "agent.li@example.cn"
)

var signedAt = time.UnixMilli(tsMilli)

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

var ts = strconv.FormatInt(tsMilli, 10)

func at(offset time.Duration) func() time.Time {
	return func() time.Time { return signedAt.Add(offset) }
}

func newSobot(t testing.TB, keys []string, opts sobot.Options) *sobot.Sobot {
	t.Helper()
	if opts.SysNum == "" {
		opts.SysNum = sysNum
	}
	if opts.Now == nil {
		opts.Now = at(0)
	}
	s, err := sobot.New(keys, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

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

func with(base map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(base)+len(kv)/2)
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "\x00" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

func claimsText(c adapter.Claims) string { return fmt.Sprintf("%+v", c) }

func TestKeyed(t *testing.T) {
	base := map[string]string{
		"partnerId": "crm-1001", "email": agent, "timestamp": ts,
		"sign": md5hex(sysNum + key + ts + "crm-1001"),
		"uid":  "u-77", "cid": "c-88", "groupId": "g1", "groupName": "售后",
		"params": `{"level":"VIP","n":12,"ok":true,"z":null,"tags":["a", "b"]}`,
	}
	extra := map[string]string{"uid": "u-77", "cid": "c-88", "groupId": "g1", "groupName": "售后",
		"params.level": "VIP", "params.n": "12", "params.ok": "true", "params.tags": `["a","b"]`}
	noPartner := md5hex(sysNum + key + ts)
	tests := []struct {
		name   string
		params map[string]string
		want   adapter.Claims
	}{{
		name:   "partnerId",
		params: base,
		want:   adapter.Claims{Channel: "sobot", VisitorID: "crm-1001", Agent: adapter.Agent{Email: agent}, Extra: extra},
	}, {
		name:   "sign in upper case",
		params: with(base, "sign", strings.ToUpper(base["sign"])),
		want:   adapter.Claims{Channel: "sobot", VisitorID: "crm-1001", Agent: adapter.Agent{Email: agent}, Extra: extra},
	}, {
		name:   "partnerid spelling",
		params: with(base, "partnerId", "\x00", "partnerid", "crm-1001"),
		want:   adapter.Claims{Channel: "sobot", VisitorID: "crm-1001", Agent: adapter.Agent{Email: agent}, Extra: extra},
	}, {
		name:   "both spellings, same value",
		params: with(base, "partnerid", "crm-1001"),
		want:   adapter.Claims{Channel: "sobot", VisitorID: "crm-1001", Agent: adapter.Agent{Email: agent}, Extra: extra},
	}, {
		// The agent, uid and params are not signed: changing them passes,
		// which is why Verified stays empty and the agent is not vouched for.
		name:   "unsigned params changed",
		params: with(base, "email", "other@example.cn", "uid", "u-1", "params", `{"level":"SVIP"}`),
		want: adapter.Claims{Channel: "sobot", VisitorID: "crm-1001", Agent: adapter.Agent{Email: "other@example.cn"},
			Extra: map[string]string{"uid": "u-1", "cid": "c-88", "groupId": "g1", "groupName": "售后", "params.level": "SVIP"}},
	}, {
		name:   "partnerId empty: the visitor is uid, unsigned",
		params: with(base, "partnerId", "", "sign", noPartner, "params", ""),
		want: adapter.Claims{Channel: "sobot_uid", VisitorID: "u-77", Agent: adapter.Agent{Email: agent},
			Extra: map[string]string{"cid": "c-88", "groupId": "g1", "groupName": "售后"}},
	}, {
		name:   "partnerId absent",
		params: with(base, "partnerId", "\x00", "sign", noPartner, "params", "\x00"),
		want: adapter.Claims{Channel: "sobot_uid", VisitorID: "u-77", Agent: adapter.Agent{Email: agent},
			Extra: map[string]string{"cid": "c-88", "groupId": "g1", "groupName": "售后"}},
	}, {
		name:   "old key",
		params: with(base, "sign", md5hex(sysNum+oldKey+ts+"crm-1001")),
		want:   adapter.Claims{Channel: "sobot", VisitorID: "crm-1001", Agent: adapter.Agent{Email: agent}, Extra: extra},
	}}
	s := newSobot(t, []string{key, oldKey}, sobot.Options{KeyRequired: true})
	if !s.Keyed() {
		t.Fatal("not keyed")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.Decode(tt.params)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Verified = map[string]string{}
			if claimsText(c) != claimsText(tt.want) {
				t.Errorf("claims\n got %s\nwant %s", claimsText(c), claimsText(tt.want))
			}
		})
	}
}

func TestKeyedRefusals(t *testing.T) {
	base := map[string]string{"partnerId": "crm-1001", "email": agent, "timestamp": ts, "sign": md5hex(sysNum + key + ts + "crm-1001")}
	signedTS := func(ms string) map[string]string {
		return with(base, "timestamp", ms, "sign", md5hex(sysNum+key+ms+"crm-1001"))
	}
	tests := []struct {
		name   string
		params map[string]string
		code   string
		words  string
	}{
		{"wrong key", with(base, "sign", md5hex(sysNum+"nope"+ts+"crm-1001")), adapter.CodeInvalidToken, "does not match"},
		{"tampered partnerId", with(base, "partnerId", "crm-1002"), adapter.CodeInvalidToken, "does not match"},
		{"partnerId removed", with(base, "partnerId", "\x00", "uid", "u-1"), adapter.CodeInvalidToken, "does not match"},
		{"tampered timestamp", with(base, "timestamp", strconv.FormatInt(tsMilli+1, 10)), adapter.CodeInvalidToken, "does not match"},
		{"wrong sysNum", with(base, "sign", md5hex("other"+key+ts+"crm-1001")), adapter.CodeInvalidToken, "does not match"},
		{"keyless sign", with(base, "sign", md5hex(sysNum+agent)), adapter.CodeInvalidToken, "does not match"},
		{"no sign", with(base, "sign", "\x00"), adapter.CodeMissingParam, "no sign"},
		{"sign not hex", with(base, "sign", strings.Repeat("g", 32)), adapter.CodeInvalidParam, "MD5"},
		{"no timestamp", with(base, "timestamp", "\x00"), adapter.CodeMissingParam, "no timestamp"},
		{"timestamp not a number", with(base, "timestamp", "1.7e12"), adapter.CodeInvalidParam, "milliseconds"},
		{"both spellings differ", with(base, "partnerid", "crm-2"), adapter.CodeInvalidParam, "partnerId and partnerid"},
		{"params not JSON", with(base, "params", "level=VIP"), adapter.CodeInvalidParam, "not a JSON object"},
		{"params an array", with(base, "params", `["a"]`), adapter.CodeInvalidParam, "not a JSON object"},
		{"params null", with(base, "params", `null`), adapter.CodeInvalidParam, "not a JSON object"},
		{"params with trailing text", with(base, "params", `{"a":1} {"b":2}`), adapter.CodeInvalidParam, "not a JSON object"},
		{"params too long", with(base, "params", `{"a":"`+strings.Repeat("x", adapter.MaxParamValue)+`"}`), adapter.CodeTooLarge, "params"},
		{"params empty field name", with(base, "params", `{"":1}`), adapter.CodeInvalidParam, "field name"},
		{"no visitor", with(base, "partnerId", "\x00", "sign", md5hex(sysNum+key+ts)), adapter.CodeMissingParam, "neither partnerId nor uid"},
		// sysNum+key+timestamp+partnerId has no separators: digits moved
		// from the end of the timestamp into partnerId keep the sign, but
		// divide the timestamp by ten, which the window refuses.
		{"digits moved into partnerId", with(base, "timestamp", ts[:len(ts)-1], "partnerId", ts[len(ts)-1:]+"crm-1001"), adapter.CodeTokenExpired, "expired"},
		{"4:59 old", signedTS(strconv.FormatInt(tsMilli-299_000, 10)), "", ""},
		{"5:00 old", signedTS(strconv.FormatInt(tsMilli-300_000, 10)), "", ""},
		{"5:00.001 old", signedTS(strconv.FormatInt(tsMilli-300_001, 10)), adapter.CodeTokenExpired, "expired"},
		{"5:01 old", signedTS(strconv.FormatInt(tsMilli-301_000, 10)), adapter.CodeTokenExpired, "expired"},
		{"seconds, not ms", signedTS(strconv.FormatInt(tsMilli/1000, 10)), adapter.CodeTokenExpired, "1970"},
		{"4:59 ahead", signedTS(strconv.FormatInt(tsMilli+299_000, 10)), "", ""},
		{"5:01 ahead", signedTS(strconv.FormatInt(tsMilli+301_000, 10)), adapter.CodeTokenLifetime, "5m1s in the future"},
	}
	many := `{`
	for i := 0; i <= adapter.MaxParams; i++ {
		if i > 0 {
			many += ","
		}
		many += fmt.Sprintf(`"f%d":%d`, i, i)
	}
	tests = append(tests, struct {
		name   string
		params map[string]string
		code   string
		words  string
	}{"params with too many fields", with(base, "params", many+"}"), adapter.CodeTooLarge, "fields"})

	s := newSobot(t, []string{key}, sobot.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Decode(tt.params)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e := wantCode(t, err, tt.code, key, sysNum, agent, tt.params["sign"])
			if !strings.Contains(e.Message, tt.words) {
				t.Errorf("message %q lacks %q", e.Message, tt.words)
			}
		})
	}
}

// TestBadSignatureOneAnswer: every wrong keyed sign reads the same.
func TestBadSignatureOneAnswer(t *testing.T) {
	s := newSobot(t, []string{key}, sobot.Options{})
	var msgs []string
	for _, p := range []map[string]string{
		{"partnerId": "p", "timestamp": ts, "sign": md5hex(sysNum + "x" + ts + "p")},
		{"partnerId": "q", "timestamp": ts, "sign": md5hex(sysNum + key + ts + "p")},
		{"uid": "u", "timestamp": ts, "sign": md5hex(sysNum + key + ts + "u")},
	} {
		_, err := s.Decode(p)
		msgs = append(msgs, wantCode(t, err, adapter.CodeInvalidToken).Message)
	}
	if msgs[0] != msgs[1] || msgs[1] != msgs[2] {
		t.Fatalf("answers differ: %q", msgs)
	}
}

func TestKeyless(t *testing.T) {
	s := newSobot(t, nil, sobot.Options{KeyRequired: false})
	if s.Keyed() {
		t.Fatal("keyless decoder says keyed")
	}
	base := map[string]string{"partnerId": "crm-1001", "email": agent, "sign": md5hex(sysNum + agent), "uid": "u-77"}
	tests := []struct {
		name   string
		params map[string]string
		want   adapter.Claims
		code   string
	}{
		{"as Sobot sends it", base,
			adapter.Claims{Channel: "sobot", VisitorID: "crm-1001", Agent: adapter.Agent{Email: agent}, Extra: map[string]string{"uid": "u-77"}}, ""},
		// Nothing is signed but the agent: a changed partnerId passes, as
		// the package doc says.
		{"partnerId changed, unverified", with(base, "partnerId", "crm-9"),
			adapter.Claims{Channel: "sobot", VisitorID: "crm-9", Agent: adapter.Agent{Email: agent}, Extra: map[string]string{"uid": "u-77"}}, ""},
		{"an old timestamp is not checked", with(base, "timestamp", "1"),
			adapter.Claims{Channel: "sobot", VisitorID: "crm-1001", Agent: adapter.Agent{Email: agent}, Extra: map[string]string{"uid": "u-77"}}, ""},
		{"partnerid spelling", with(base, "partnerId", "\x00", "partnerid", "zc"),
			adapter.Claims{Channel: "sobot", VisitorID: "zc", Agent: adapter.Agent{Email: agent}, Extra: map[string]string{"uid": "u-77"}}, ""},
		{"other e-mail", with(base, "email", "x@example.cn"), adapter.Claims{}, adapter.CodeInvalidToken},
		{"keyed sign", with(base, "timestamp", ts, "sign", md5hex(sysNum+key+ts+"crm-1001")), adapter.Claims{}, adapter.CodeInvalidToken},
		{"bad params", with(base, "params", "{"), adapter.Claims{}, adapter.CodeInvalidParam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.Decode(tt.params)
			if tt.code != "" {
				wantCode(t, err, tt.code, sysNum, agent)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Verified = map[string]string{}
			if claimsText(c) != claimsText(tt.want) {
				t.Errorf("claims\n got %s\nwant %s", claimsText(c), claimsText(tt.want))
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name  string
		keys  []string
		opts  sobot.Options
		code  string
		keyed bool
	}{
		{"no sysNum", []string{key}, sobot.Options{}, adapter.CodeInvalidOption, false},
		{"sysNum with a space", []string{key}, sobot.Options{SysNum: "a b"}, adapter.CodeInvalidOption, false},
		{"key required, none", nil, sobot.Options{SysNum: sysNum, KeyRequired: true}, adapter.CodeInvalidKey, false},
		{"key required, only empty", []string{""}, sobot.Options{SysNum: sysNum, KeyRequired: true}, adapter.CodeInvalidKey, false},
		{"key with a newline", []string{key + "\n"}, sobot.Options{SysNum: sysNum}, adapter.CodeInvalidKey, false},
		{"negative window", []string{key}, sobot.Options{SysNum: sysNum, Window: -time.Second}, adapter.CodeInvalidOption, false},
		{"keyless", nil, sobot.Options{SysNum: sysNum}, "", false},
		{"keys given, KeyRequired unset: keyed", []string{key}, sobot.Options{SysNum: sysNum}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sobot.New(tt.keys, tt.opts)
			if tt.code != "" {
				wantCode(t, err, tt.code, key)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Keyed() != tt.keyed {
				t.Fatalf("Keyed = %v", s.Keyed())
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	o := sobot.Options{SysNum: sysNum}.WithDefaults()
	if o.Window != 5*time.Minute || o.Now == nil || o.KeyRequired || o.SysNum != sysNum {
		t.Fatalf("defaults = %+v", o)
	}
	if o := (sobot.Options{Window: time.Minute}).WithDefaults(); o.Window != time.Minute {
		t.Fatalf("window = %v", o.Window)
	}
	// A shorter window is applied: 1:01 old is expired under one minute.
	s := newSobot(t, []string{key}, sobot.Options{Window: time.Minute, Now: at(61 * time.Second)})
	_, err := s.Decode(map[string]string{"partnerId": "p", "timestamp": ts, "sign": md5hex(sysNum + key + ts + "p")})
	wantCode(t, err, adapter.CodeTokenExpired)
}
