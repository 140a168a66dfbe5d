package easemob_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/adapter/easemob"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/paramcrypt"
)

const (
	key      = "kefu2024secret" // current
	prevKey  = "12345678abc"    // previous, during a rotation
	otherKey = "环信密钥abcdefgh"   // neither
)

func encWith(t testing.TB, k, s string) string {
	t.Helper()
	c, err := paramcrypt.NewDES(k)
	if err != nil {
		t.Fatal(err)
	}
	return c.Encrypt(s)
}

func enc(t testing.TB, s string) string { return encWith(t, key, s) }

func TestEasemobDecode(t *testing.T) {
	rotation := []string{key, prevKey}
	hardened := easemob.Options{EncryptedSystemParams: true, TenantID: "88"}
	knownAgent := easemob.Options{RequireKnownAgent: true}
	tests := []struct {
		name     string
		keys     []string
		opts     easemob.Options
		params   map[string]string
		want     adapter.Claims
		wantCode string
	}{
		{
			name:   "encrypted add-ons",
			keys:   []string{key},
			params: map[string]string{"easemobId": "kefu-im", "visitorImId": "v-1", "agentName": enc(t, "小王"), "email": enc(t, "agent@example.com"), "agentId": enc(t, "a-9"), "tenantId": enc(t, "88"), "lang": enc(t, "en"), "orderNo": enc(t, "SO-1")},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v-1", TenantID: "88", Lang: "en", Agent: adapter.Agent{ID: "a-9", Email: "agent@example.com", Name: "小王"}, Extra: map[string]string{"orderNo": "SO-1"}},
		},
		{
			name:   "uppercase hex and plain lang",
			keys:   []string{key},
			params: map[string]string{"visitorImId": "v-2", "agentName": strings.ToUpper(enc(t, "Amy")), "lang": "zh"},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v-2", Lang: "zh", Agent: adapter.Agent{Name: "Amy"}, Extra: map[string]string{}},
		},
		{
			name:   "JDK vector",
			keys:   []string{key},
			params: map[string]string{"visitorImId": "v", "agentName": "50a0f4e259a3dbbe", "nickname": "cc20da07f4727ac9"},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v", Agent: adapter.Agent{Name: "Jack"}, DisplayName: "张三", Extra: map[string]string{"nickname": "张三"}},
		},
		{
			name:   "wechat: openid scoped by the official account",
			keys:   []string{key},
			params: map[string]string{"visitorImId": "oAbC123", "to": enc(t, "gh_123")},
			want:   adapter.Claims{Channel: "wechat", VisitorID: "oAbC123", Scope: "gh_123", Extra: map[string]string{}},
		},
		{
			name:   "display name: trueName before nickname",
			keys:   []string{key},
			params: map[string]string{"visitorImId": "v", "trueName": enc(t, " Zhang  San "), "nickname": enc(t, "zs")},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v", DisplayName: "Zhang San", Extra: map[string]string{"trueName": " Zhang  San ", "nickname": "zs"}},
		},
		{
			name:   "display name: nickname",
			keys:   []string{key},
			params: map[string]string{"visitorImId": "v", "nickname": enc(t, "zs")},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v", DisplayName: "zs", Extra: map[string]string{"nickname": "zs"}},
		},
		{
			name:   "updateVisitorInfoSrc params in Extra",
			keys:   []string{key},
			params: map[string]string{"visitorImId": "v", "orderNo": enc(t, "SO-2024-0001"), "vip": enc(t, "true")},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v", Extra: map[string]string{"orderNo": "SO-2024-0001", "vip": "true"}},
		},
		{
			name:   "no key: everything in clear",
			params: map[string]string{"visitorImId": "v-3", "agentName": "Amy", "nickname": "Bob"},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v-3", Agent: adapter.Agent{Name: "Amy"}, DisplayName: "Bob", Extra: map[string]string{"nickname": "Bob"}},
		},
		{
			name:   "all-empty keys: no key",
			keys:   []string{"", ""},
			params: map[string]string{"visitorImId": "v-3", "agentId": "12"},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v-3", Agent: adapter.Agent{ID: "12"}, Extra: map[string]string{}},
		},
		{
			name:   "rotation: current key",
			keys:   rotation,
			params: map[string]string{"visitorImId": "v", "agentName": enc(t, "Amy"), "nickname": enc(t, "Bob")},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v", Agent: adapter.Agent{Name: "Amy"}, DisplayName: "Bob", Extra: map[string]string{"nickname": "Bob"}},
		},
		{
			name:   "rotation: previous key still decodes",
			keys:   rotation,
			params: map[string]string{"visitorImId": "v", "agentName": encWith(t, prevKey, "Amy"), "nickname": "d221cba8e6efd0ad"},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v", Agent: adapter.Agent{Name: "Amy"}, DisplayName: "man", Extra: map[string]string{"nickname": "man"}},
		},
		{
			name:   "rotation: empty current key, previous key set",
			keys:   []string{"", prevKey},
			params: map[string]string{"visitorImId": "v", "agentName": encWith(t, prevKey, "Amy")},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v", Agent: adapter.Agent{Name: "Amy"}, Extra: map[string]string{}},
		},
		{
			name:   "hardened: system params encrypted, tenant pinned",
			keys:   rotation,
			opts:   hardened,
			params: map[string]string{"easemobId": enc(t, "kefu-im"), "visitorImId": enc(t, "v-9"), "tenantId": enc(t, "88"), "lang": "en"},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v-9", TenantID: "88", Lang: "en", Extra: map[string]string{}},
		},
		{
			name:   "hardened with the previous key",
			keys:   rotation,
			opts:   hardened,
			params: map[string]string{"visitorImId": strings.ToUpper(encWith(t, prevKey, "v-9")), "tenantId": encWith(t, prevKey, "88")},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v-9", TenantID: "88", Extra: map[string]string{}},
		},
		{
			name:   "encrypted system params without a pin",
			keys:   []string{key},
			opts:   easemob.Options{EncryptedSystemParams: true},
			params: map[string]string{"visitorImId": enc(t, "oAbC"), "to": enc(t, "gh_1")},
			want:   adapter.Claims{Channel: "wechat", VisitorID: "oAbC", Scope: "gh_1", Extra: map[string]string{}},
		},
		{
			name:   "tenant pinned, system params in clear",
			keys:   []string{key},
			opts:   easemob.Options{TenantID: "88"},
			params: map[string]string{"visitorImId": "v", "tenantId": enc(t, "88")},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v", TenantID: "88", Extra: map[string]string{}},
		},

		{name: "missing visitorImId", keys: []string{key}, params: map[string]string{"easemobId": "x"}, wantCode: adapter.CodeMissingParam},
		{name: "empty visitorImId", params: map[string]string{"visitorImId": " "}, wantCode: adapter.CodeMissingParam},
		{name: "hardened: missing visitorImId", keys: []string{key}, opts: easemob.Options{EncryptedSystemParams: true}, params: map[string]string{"agentName": enc(t, "Amy")}, wantCode: adapter.CodeMissingParam},
		{name: "visitor id too long", params: map[string]string{"visitorImId": strings.Repeat("v", adapter.MaxVisitorID+1)}, wantCode: adapter.CodeTooLarge},
		{name: "known agent required: agentId not hex", keys: []string{key}, opts: knownAgent, params: map[string]string{"visitorImId": "v", "agentId": "Amy!"}, wantCode: adapter.CodeInvalidParam},
		{name: "known agent required: email not whole blocks", keys: []string{key}, opts: knownAgent, params: map[string]string{"visitorImId": "v", "email": "50a0f4e259"}, wantCode: adapter.CodeInvalidParam},
		{name: "known agent required: agent in clear refused", keys: []string{key}, opts: knownAgent, params: map[string]string{"visitorImId": "v", "agentId": "12"}, wantCode: adapter.CodeInvalidParam},
		{name: "known agent required: wrong key", keys: []string{otherKey}, opts: knownAgent, params: map[string]string{"visitorImId": "v", "agentId": enc(t, "a-9")}, wantCode: adapter.CodeDecryptFailed},
		{name: "known agent required: a third key fails", keys: rotation, opts: knownAgent, params: map[string]string{"visitorImId": "v", "email": encWith(t, otherKey, "a@example.com")}, wantCode: adapter.CodeDecryptFailed},
		{name: "known agent required: one request, two keys", keys: rotation, opts: knownAgent, params: map[string]string{"visitorImId": "v", "agentId": enc(t, "a-9"), "email": encWith(t, prevKey, "a@example.com")}, wantCode: adapter.CodeDecryptFailed},
		{name: "pinned tenant: wrong key", keys: []string{otherKey}, opts: easemob.Options{TenantID: "88"}, params: map[string]string{"visitorImId": "v", "tenantId": enc(t, "88")}, wantCode: adapter.CodeDecryptFailed},
		{name: "hardened: plain visitorImId", keys: []string{key}, opts: hardened, params: map[string]string{"visitorImId": "webim-visitor-XYZ", "tenantId": enc(t, "88")}, wantCode: adapter.CodePlainSystemParam},
		{name: "hardened: plain hex-looking visitorImId", keys: []string{key}, opts: hardened, params: map[string]string{"visitorImId": "0123456789abcdef", "tenantId": enc(t, "88")}, wantCode: adapter.CodePlainSystemParam},
		{name: "hardened: plain easemobId", keys: []string{key}, opts: hardened, params: map[string]string{"easemobId": "kefu-im", "visitorImId": enc(t, "v"), "tenantId": enc(t, "88")}, wantCode: adapter.CodePlainSystemParam},
		{name: "hardened: visitorImId with a third key", keys: rotation, opts: hardened, params: map[string]string{"visitorImId": encWith(t, otherKey, "v"), "tenantId": enc(t, "88")}, wantCode: adapter.CodePlainSystemParam},
		{name: "tenant mismatch", keys: []string{key}, opts: hardened, params: map[string]string{"visitorImId": enc(t, "v"), "tenantId": enc(t, "89")}, wantCode: adapter.CodeTenantMismatch},
		{name: "tenant missing", keys: []string{key}, opts: easemob.Options{TenantID: "88"}, params: map[string]string{"visitorImId": "v"}, wantCode: adapter.CodeTenantMismatch},
		{name: "tenant in clear", keys: []string{key}, opts: easemob.Options{TenantID: "88"}, params: map[string]string{"visitorImId": "v", "tenantId": "88"}, wantCode: adapter.CodeInvalidParam},
		{name: "too many params", params: manyParams("visitorImId", 70), wantCode: adapter.CodeTooLarge},
		{name: "value too long", params: map[string]string{"visitorImId": strings.Repeat("v", adapter.MaxParamValue+1)}, wantCode: adapter.CodeTooLarge},
		{name: "name too long", params: map[string]string{"visitorImId": "v", strings.Repeat("n", adapter.MaxParamName+1): "x"}, wantCode: adapter.CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := easemob.New(tt.keys, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.Decode(tt.params)
			if tt.wantCode != "" {
				var secrets []string
				for _, v := range tt.params {
					secrets = append(secrets, v)
				}
				wantCode(t, err, tt.wantCode, append(secrets, tt.keys...)...)
				if tt.wantCode == adapter.CodeTenantMismatch && apperr.KindOf(err) != apperr.Forbidden {
					t.Errorf("tenant mismatch kind = %v, want forbidden", apperr.KindOf(err))
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.Channel != tt.want.Channel || got.VisitorID != tt.want.VisitorID || got.Scope != tt.want.Scope ||
				got.TenantID != tt.want.TenantID || got.Lang != tt.want.Lang || got.Agent != tt.want.Agent ||
				got.DisplayName != tt.want.DisplayName {
				t.Errorf("Decode = %+v\nwant     %+v", got, tt.want)
			}
			sameMap(t, "Extra", got.Extra, tt.want.Extra)
		})
	}
}

// TestEasemobNoPaddingOracle checks that bad padding and a plaintext that is
// not UTF-8 give byte-identical errors for the params that fail a request,
// whichever param carried them and however many keys were tried; likewise
// for the system params when they must be encrypted; and that an optional
// param dropped for either reason leaves the same claims.
func TestEasemobNoPaddingOracle(t *testing.T) {
	badPadding := "50a0f4e259a3dbbf"
	notUTF8 := enc(t, "\xff\xfe")
	for _, keys := range [][]string{{key}, {key, prevKey}} {
		a, err := easemob.New(keys, easemob.Options{RequireKnownAgent: true, TenantID: "88"})
		if err != nil {
			t.Fatal(err)
		}
		var errs []error
		for _, p := range []map[string]string{
			{"visitorImId": "v", "tenantId": enc(t, "88"), "agentId": badPadding},
			{"visitorImId": "v", "tenantId": enc(t, "88"), "email": notUTF8},
			{"visitorImId": "v", "tenantId": badPadding, "agentId": enc(t, "a")},
			{"visitorImId": "v", "tenantId": notUTF8, "agentId": enc(t, "a")},
			{"visitorImId": "v", "tenantId": enc(t, "88"), "agentId": encWith(t, otherKey, "x")},
		} {
			_, err := a.Decode(p)
			errs = append(errs, err)
		}
		sameAnswers(t, adapter.CodeDecryptFailed, errs...)

		h, err := easemob.New(keys, easemob.Options{EncryptedSystemParams: true})
		if err != nil {
			t.Fatal(err)
		}
		errs = nil
		for _, v := range []string{badPadding, notUTF8, "plain-visitor", "0123456789abcdef", encWith(t, otherKey, "v")} {
			_, err := h.Decode(map[string]string{"visitorImId": v})
			errs = append(errs, err)
		}
		sameAnswers(t, adapter.CodePlainSystemParam, errs...)

		// Optional params: dropped as not_decryptable, the rest the same.
		o, err := easemob.New(keys, easemob.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var first string
		for i, v := range []string{badPadding, notUTF8, encWith(t, otherKey, "x")} {
			for _, name := range []string{"agentName", "nickname", "agentId", "email", "tenantId", "lang", "orderNo"} {
				c, err := o.Decode(map[string]string{"visitorImId": "v", name: v, "ssid": enc(t, "s-1")})
				if err != nil {
					t.Fatalf("%s=%s: %v", name, v, err)
				}
				sameDropped(t, c, map[string]string{name: adapter.DropNotDecryptable})
				got := mustJSON(t, c)
				if name == "agentName" {
					if i == 0 {
						first = got
					} else if got != first {
						t.Fatalf("dropping a param for bad padding and for a bad plaintext differ:\n%s\n%s", got, first)
					}
				}
			}
		}
	}
}

// sameDropped fails unless c dropped exactly the params in want, each for
// its reason.
func sameDropped(t *testing.T, c adapter.Claims, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, d := range c.Dropped {
		got[d.Name] = d.Reason
	}
	sameMap(t, "Dropped", got, want)
}

// query reads a query string as the sidebar page posts it: first values.
func query(t *testing.T, raw string) map[string]string {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range q {
		out[k] = v[0]
	}
	return out
}

// encryptAll encrypts every param but the system ones, as the workbench does
// with a key set (empty values too: Easemob encrypts the empty string).
func encryptAll(t *testing.T, k string, p map[string]string) map[string]string {
	out := map[string]string{}
	for name, v := range p {
		if name == "easemobId" || name == "visitorImId" {
			out[name] = v
		} else {
			out[name] = encWith(t, k, v)
		}
	}
	return out
}

// Params as the real workbench sends them.
const (
	// Easemob's CRM-integration docs, their example for a web visitor.
	docWebVisitor = "easemobId=107937&visitorImId=webim-visitor-8K2FTG9QTYWRT8EYVJ7F&to=webim-visitor-8K2FTG9QTYWRT8EYVJ7F"
	// easemob/kefu-agent-ios KFiFrameView.m, getParOther: the comments list
	// one real request's values (an App visitor); desc is empty.
	iosAppVisitor = "easemobId=kefuchannelimid_248171&visitorImId=im-visitor-7" +
		"&to=kefuchannelimid_248171&nickname=w8du3q187nisgsx&ssid=07938730-2b4b-4f0d-b4ac-45077425898b" +
		"&userId=baa85dce-ef23-4993-b836-6cc437acd320&email=houli%40163.com&tenantId=77556" +
		"&agentId=fd13ccbd-a712-4e69-9de5-e5e25fec9555&agentName=Admin&originType=app" +
		"&techChannelName=%E4%BE%AF%E5%8A%9B%E5%88%9B%E5%BB%BA%E7%9A%84%E5%85%B3%E8%81%94" +
		"&serviceNumber=kefuchannelimid_248171&desc=&trueName=admin"
)

// TestEasemobAsThePlatformSends decodes param sets modelled on what Easemob
// Kefu's workbench and agent SDKs really append.
func TestEasemobAsThePlatformSends(t *testing.T) {
	ios := query(t, iosAppVisitor)
	iosAgent := adapter.Agent{ID: "fd13ccbd-a712-4e69-9de5-e5e25fec9555", Email: "houli@163.com", Name: "Admin", UserID: "baa85dce-ef23-4993-b836-6cc437acd320"}
	iosExtra := map[string]string{"nickname": "w8du3q187nisgsx", "ssid": "07938730-2b4b-4f0d-b4ac-45077425898b", "originType": "app",
		"techChannelName": "侯力创建的关联", "serviceNumber": "kefuchannelimid_248171", "trueName": "admin"}
	with := func(base map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	sealedVisitor := enc(t, "webim-visitor-8K2FTG9QTYWRT8EYVJ7F")
	tests := []struct {
		name        string
		keys        []string
		opts        easemob.Options
		params      map[string]string
		want        adapter.Claims
		extra       map[string]string // nil: not checked
		dropped     map[string]string
		wantAlt     []string
		wantDecrypt bool
		wantCode    string
	}{
		{
			name:   "docs' web visitor, no key: to is the visitor's IM id, not WeChat",
			params: query(t, docWebVisitor),
			want:   adapter.Claims{Channel: "easemob", VisitorID: "webim-visitor-8K2FTG9QTYWRT8EYVJ7F"},
			extra:  map[string]string{},
		},
		{
			name:   "docs' web visitor with a key: to in clear is accepted and is not WeChat",
			keys:   []string{key},
			params: query(t, docWebVisitor),
			want:   adapter.Claims{Channel: "easemob", VisitorID: "webim-visitor-8K2FTG9QTYWRT8EYVJ7F"},
			extra:  map[string]string{},
		},
		{
			name:    "iOS agent SDK's App visitor, no key: every param in clear, desc empty",
			params:  ios,
			want:    adapter.Claims{Channel: "easemob", VisitorID: "im-visitor-7", TenantID: "77556", Agent: iosAgent, DisplayName: "admin"},
			extra:   iosExtra,
			dropped: map[string]string{"desc": adapter.DropEmpty},
		},
		{
			name:    "iOS agent SDK's App visitor, encrypted (desc encrypted empty), to=kefuchannelimid_248171",
			keys:    []string{key},
			params:  encryptAll(t, key, ios),
			want:    adapter.Claims{Channel: "easemob", VisitorID: "im-visitor-7", TenantID: "77556", Agent: iosAgent, DisplayName: "admin"},
			extra:   iosExtra,
			dropped: map[string]string{"desc": adapter.DropEmpty},
		},
		{
			name:    "encrypted, lang=EN in clear",
			keys:    []string{key},
			params:  with(encryptAll(t, key, ios), "lang", "EN"),
			want:    adapter.Claims{Channel: "easemob", VisitorID: "im-visitor-7", TenantID: "77556", Agent: iosAgent, DisplayName: "admin", Lang: "en"},
			dropped: map[string]string{"desc": adapter.DropEmpty},
		},
		{
			name:    "encrypted, lang=zh-CN encrypted",
			keys:    []string{key},
			params:  with(encryptAll(t, key, ios), "lang", enc(t, "zh-CN")),
			want:    adapter.Claims{Channel: "easemob", VisitorID: "im-visitor-7", TenantID: "77556", Agent: iosAgent, DisplayName: "admin", Lang: "zh"},
			dropped: map[string]string{"desc": adapter.DropEmpty},
		},
		{
			name:    "lang=ja: no language, the page uses the browser's",
			keys:    []string{key},
			params:  map[string]string{"visitorImId": "v", "lang": "ja"},
			want:    adapter.Claims{Channel: "easemob", VisitorID: "v"},
			dropped: map[string]string{"lang": adapter.DropUnknown},
		},
		{
			name:    "lang=ja encrypted",
			keys:    []string{key},
			params:  map[string]string{"visitorImId": "v", "lang": enc(t, "ja")},
			want:    adapter.Claims{Channel: "easemob", VisitorID: "v"},
			dropped: map[string]string{"lang": adapter.DropUnknown},
		},
		{
			name:    "lang=fr in clear",
			keys:    []string{key},
			params:  map[string]string{"visitorImId": "v", "lang": "fr"},
			want:    adapter.Claims{Channel: "easemob", VisitorID: "v"},
			dropped: map[string]string{"lang": adapter.DropUnknown},
		},
		{
			name:    "keyless: empty values dropped, lang in any case",
			params:  query(t, "easemobId=107937&visitorImId=v&desc=&agentName=&nickname=&lang=ZH"),
			want:    adapter.Claims{Channel: "easemob", VisitorID: "v", Lang: "zh"},
			extra:   map[string]string{},
			dropped: map[string]string{"desc": adapter.DropEmpty, "agentName": adapter.DropEmpty, "nickname": adapter.DropEmpty},
		},
		{
			name:   "keyless: params crmlens does not know go to Extra",
			params: query(t, "visitorImId=v&ssid=s-1&techChannelName=App&serviceNumber=kefuchannelimid_248171&to=kefuchannelimid_248171&originType=app"),
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v"},
			extra:  map[string]string{"ssid": "s-1", "techChannelName": "App", "serviceNumber": "kefuchannelimid_248171", "originType": "app"},
		},
		{
			name:   "keyless: the agent in clear is taken",
			params: query(t, "visitorImId=v&agentId=12&email=a%40example.com&tenantId=77556"),
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v", TenantID: "77556", Agent: adapter.Agent{ID: "12", Email: "a@example.com"}},
		},
		{
			name:   "WeChat: to is an official account's original id, in clear",
			keys:   []string{key},
			params: map[string]string{"visitorImId": "oAbC123", "to": "gh_4f2a9c1e7b3d", "nickname": enc(t, "微信用户")},
			want:   adapter.Claims{Channel: "wechat", VisitorID: "oAbC123", Scope: "gh_4f2a9c1e7b3d", DisplayName: "微信用户"},
		},
		{
			name:   "WeChat: originType=weixin (encrypted) with an encrypted gh_ to",
			keys:   []string{key},
			params: map[string]string{"visitorImId": "oAbC123", "to": enc(t, "gh_4f2a9c1e7b3d"), "originType": enc(t, "weixin")},
			want:   adapter.Claims{Channel: "wechat", VisitorID: "oAbC123", Scope: "gh_4f2a9c1e7b3d"},
			extra:  map[string]string{"originType": "weixin"},
		},
		{
			name:   "WeChat: originType=WeChat in any case, no key",
			params: map[string]string{"visitorImId": "oAbC123", "to": "kefuchannelimid_248171", "originType": "WeChat"},
			want:   adapter.Claims{Channel: "wechat", VisitorID: "oAbC123", Scope: "kefuchannelimid_248171"},
		},
		{
			name:   "App visitor: encrypted to=kefuchannelimid_248171 is not WeChat",
			keys:   []string{key},
			params: map[string]string{"visitorImId": "im-1", "to": enc(t, "kefuchannelimid_248171"), "originType": enc(t, "app")},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "im-1"},
		},
		{
			name:    "system params required encrypted: a plain to is not trusted to choose the channel",
			keys:    []string{key},
			opts:    easemob.Options{EncryptedSystemParams: true},
			params:  map[string]string{"visitorImId": enc(t, "oAbC"), "to": "gh_4f2a9c1e7b3d", "originType": "weixin"},
			want:    adapter.Claims{Channel: "easemob", VisitorID: "oAbC"},
			dropped: map[string]string{"to": adapter.DropNotEncrypted, "originType": adapter.DropNotEncrypted},
		},
		{
			name:    "with a key, plain agent and tenant params are dropped, never claimed",
			keys:    []string{key},
			params:  query(t, "visitorImId=v&agentId=12&email=a%40example.com&tenantId=77556&agentName=Amy!&userId=u-1&nickname=Bob"),
			want:    adapter.Claims{Channel: "easemob", VisitorID: "v"},
			extra:   map[string]string{},
			dropped: map[string]string{"agentId": adapter.DropNotEncrypted, "email": adapter.DropNotEncrypted, "tenantId": adapter.DropNotEncrypted, "agentName": adapter.DropNotEncrypted, "userId": adapter.DropNotEncrypted, "nickname": adapter.DropNotEncrypted},
		},
		{
			name:    "iOS agent SDK's agentId=f<ciphertext> (an odd length of hex) is dropped",
			keys:    []string{key},
			params:  map[string]string{"visitorImId": "v", "agentId": "f" + enc(t, "fd13ccbd"), "agentName": enc(t, "Admin")},
			want:    adapter.Claims{Channel: "easemob", VisitorID: "v", Agent: adapter.Agent{Name: "Admin"}},
			dropped: map[string]string{"agentId": adapter.DropNotEncrypted},
		},
		{
			name:    "a param under another key is dropped as not decryptable",
			keys:    []string{key},
			params:  map[string]string{"visitorImId": "v", "agentName": encWith(t, otherKey, "Amy"), "ssid": enc(t, "s-1"), "techChannelName": "50a0f4e259"},
			want:    adapter.Claims{Channel: "easemob", VisitorID: "v"},
			extra:   map[string]string{"ssid": "s-1"},
			dropped: map[string]string{"agentName": adapter.DropNotDecryptable, "techChannelName": adapter.DropNotEncrypted},
		},
		{
			name:    "rotation: one request, two keys, the key opening more wins",
			keys:    []string{key, prevKey},
			params:  map[string]string{"visitorImId": "v", "agentName": enc(t, "Amy"), "email": encWith(t, prevKey, "a@example.com"), "nickname": encWith(t, prevKey, "Bob")},
			want:    adapter.Claims{Channel: "easemob", VisitorID: "v", Agent: adapter.Agent{Email: "a@example.com"}, DisplayName: "Bob"},
			dropped: map[string]string{"agentName": adapter.DropNotDecryptable},
		},
		{
			name:        "option on in Easemob, off in crmlens: encrypted easemobId and visitorImId are decrypted",
			keys:        []string{key},
			params:      map[string]string{"easemobId": enc(t, "107937"), "visitorImId": sealedVisitor, "to": enc(t, "webim-visitor-8K2FTG9QTYWRT8EYVJ7F")},
			want:        adapter.Claims{Channel: "easemob", VisitorID: "webim-visitor-8K2FTG9QTYWRT8EYVJ7F"},
			wantAlt:     []string{sealedVisitor},
			wantDecrypt: true,
		},
		{
			name:        "option on in Easemob, off in crmlens: uppercase hex, previous key",
			keys:        []string{key, prevKey},
			params:      map[string]string{"visitorImId": strings.ToUpper(encWith(t, prevKey, "oAbC123")), "to": encWith(t, prevKey, "gh_4f2a9c1e7b3d")},
			want:        adapter.Claims{Channel: "wechat", VisitorID: "oAbC123", Scope: "gh_4f2a9c1e7b3d"},
			wantAlt:     []string{strings.ToUpper(encWith(t, prevKey, "oAbC123"))},
			wantDecrypt: true,
		},
		{
			name:   "a plain hex-looking visitorImId that does not decrypt stays as sent",
			keys:   []string{key},
			params: map[string]string{"visitorImId": "0123456789abcdef"},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "0123456789abcdef"},
		},
		{
			name:   "a visitorImId that decrypts to control characters stays as sent",
			keys:   []string{key},
			params: map[string]string{"visitorImId": enc(t, "a\x01b")},
			want:   adapter.Claims{Channel: "easemob", VisitorID: enc(t, "a\x01b")},
		},
		{
			name:   "no key: a ciphertext-looking visitorImId is taken as sent",
			params: map[string]string{"visitorImId": sealedVisitor},
			want:   adapter.Claims{Channel: "easemob", VisitorID: sealedVisitor},
		},
		{
			name:     "system params required encrypted: a plain one is still refused",
			keys:     []string{key},
			opts:     easemob.Options{EncryptedSystemParams: true},
			params:   query(t, docWebVisitor),
			wantCode: adapter.CodePlainSystemParam,
		},
		{
			name:     "empty visitorImId fails",
			keys:     []string{key},
			params:   query(t, "easemobId=107937&visitorImId=&desc="),
			wantCode: adapter.CodeMissingParam,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := easemob.New(tt.keys, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.Decode(tt.params)
			if tt.wantCode != "" {
				var secrets []string
				for _, v := range tt.params {
					secrets = append(secrets, v)
				}
				wantCode(t, err, tt.wantCode, append(secrets, tt.keys...)...)
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.Channel != tt.want.Channel || got.VisitorID != tt.want.VisitorID || got.Scope != tt.want.Scope ||
				got.TenantID != tt.want.TenantID || got.Lang != tt.want.Lang || got.Agent != tt.want.Agent ||
				got.DisplayName != tt.want.DisplayName {
				t.Errorf("Decode = %+v\nwant     %+v", got, tt.want)
			}
			if tt.extra != nil {
				sameMap(t, "Extra", got.Extra, tt.extra)
			}
			sameDropped(t, got, tt.dropped)
			if strings.Join(got.VisitorIDAlternatives, ",") != strings.Join(tt.wantAlt, ",") || got.VisitorIDDecrypted != tt.wantDecrypt {
				t.Errorf("alternatives = %q (decrypted %v), want %q (%v)", got.VisitorIDAlternatives, got.VisitorIDDecrypted, tt.wantAlt, tt.wantDecrypt)
			}
		})
	}
}

// TestEasemobKeyless: an integration without a key takes every param in
// clear, even ciphertext-looking ones, and claims the agent and tenant.
func TestEasemobKeyless(t *testing.T) {
	a, err := easemob.New(nil, easemob.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sealed := enc(t, "Amy")
	c, err := a.Decode(map[string]string{"easemobId": "107937", "visitorImId": "v", "agentId": "12", "agentName": sealed, "tenantId": "77556", "lang": "en-US", "orderNo": "SO-1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Agent.ID != "12" || c.Agent.Name != sealed || c.TenantID != "77556" || c.Lang != "en" || c.Extra["orderNo"] != "SO-1" || len(c.Dropped) != 0 || len(c.VisitorIDAlternatives) != 0 {
		t.Fatalf("keyless Decode = %+v", c)
	}
}

func TestNewEasemob(t *testing.T) {
	tests := []struct {
		name     string
		keys     []string
		opts     easemob.Options
		wantCode string
	}{
		{name: "no key", keys: nil},
		{name: "one key", keys: []string{key}},
		{name: "rotation", keys: []string{key, prevKey}},
		{name: "8-character key", keys: []string{"12345678"}, wantCode: adapter.CodeInvalidKey},
		{name: "short previous key", keys: []string{key, "short"}, wantCode: adapter.CodeInvalidKey},
		{name: "encrypted system params without a key", opts: easemob.Options{EncryptedSystemParams: true}, wantCode: adapter.CodeInvalidOption},
		{name: "tenant pin without a key", keys: []string{""}, opts: easemob.Options{TenantID: "88"}, wantCode: adapter.CodeInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := easemob.New(tt.keys, tt.opts)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("NewEasemob: %v", err)
				}
				return
			}
			wantCode(t, err, tt.wantCode, tt.keys...)
		})
	}
}

func FuzzEasemobDecode(f *testing.F) {
	plain, err := easemob.New([]string{key, prevKey}, easemob.Options{})
	if err != nil {
		f.Fatal(err)
	}
	hardened, err := easemob.New([]string{key, prevKey}, easemob.Options{EncryptedSystemParams: true, TenantID: "88"})
	if err != nil {
		f.Fatal(err)
	}
	pads := map[string]bool{}
	for _, k := range []string{key, prevKey} {
		raw, _ := paramcrypt.Decode(encWith(f, k, ""))
		pads[string(raw)] = true
	}
	own := enc(f, "webim-visitor-8K2FTG9QTYWRT8EYVJ7F")
	f.Add("v-1", "50a0f4e259a3dbbe", "zh", "", "", false)
	f.Add("v-1", "877523f86f18f55e", "en", "gh_1", "", false)
	f.Add(enc(f, "v-1"), enc(f, "Amy"), "en", enc(f, "88"), enc(f, "v-1"), true)
	f.Add("", "zz", "en", "", "", false)
	f.Add(own, "", "EN", "", enc(f, "webim-visitor-"), false)
	f.Add("0123456789abcdef", "50a0f4e259a3dbbf", "ja", "77556", "", false)
	f.Add(own[:16]+enc(f, "victim2"), "", "", enc(f, "88"), enc(f, "victim2"), true)
	f.Add(enc(f, "88"), enc(f, "88"), "", enc(f, "88"), "", true)
	f.Fuzz(func(t *testing.T, visitor, agentName, lang, tenant, nickname string, strict bool) {
		a := plain
		if strict {
			a = hardened
		}
		params := map[string]string{"visitorImId": visitor, "agentName": agentName, "lang": lang, "tenantId": tenant, "nickname": nickname}
		c, err := a.Decode(params)
		checkFuzzResult(t, c, err)
		if err != nil {
			if e := apperr.As(err); e.Code == adapter.CodeSplicedParam {
				// Decided on ciphertexts alone, before any key opens a
				// param: the same answer with the keys tried the other way
				// round and without the tenant pin or the system params
				// required (they only make other params fail).
				other, _ := easemob.New([]string{prevKey, key}, easemob.Options{EncryptedSystemParams: strict})
				if _, err2 := other.Decode(params); apperr.As(err2) == nil || apperr.As(err2).Code != adapter.CodeSplicedParam {
					t.Fatalf("spliced_param depends on the keys tried: %v", err2)
				}
			}
			return
		}
		if !strict {
			// The visitorImId as sent, or its clean decryption with the
			// value as sent kept as the alternative reading.
			switch {
			case !c.VisitorIDDecrypted && c.VisitorID != strings.TrimSpace(visitor):
				t.Fatalf("VisitorID = %q, want the trimmed visitorImId %q", c.VisitorID, visitor)
			case c.VisitorIDDecrypted && len(c.VisitorIDAlternatives) == 1 && c.VisitorIDAlternatives[0] != strings.TrimSpace(visitor):
				t.Fatalf("alternative %q is not the visitorImId %q", c.VisitorIDAlternatives[0], visitor)
			}
		}
		for _, d := range c.Dropped {
			if d.Name == "agentName" && c.Agent.Name != "" || d.Name == "tenantId" && c.TenantID != "" || d.Name == "lang" && c.Lang != "" {
				t.Fatalf("dropped %s (%s) still fills the claims: %+v", d.Name, d.Reason, c)
			}
		}
		if strict && c.TenantID != "88" {
			t.Fatalf("pinned adapter accepted tenant %q", c.TenantID)
		}
		// An accepted request has no guarded param (visitorImId when it
		// must be encrypted, tenantId) holding another param's block at
		// another index, nor the very ciphertext of another param (but
		// visitorImId's own default nickname).
		guarded := map[string]bool{"tenantId": true, "visitorImId": strict}
		for p := range guarded {
			if !guarded[p] {
				continue
			}
			pr, err := paramcrypt.Decode(params[p])
			if err != nil || len(pr) == 0 || len(pr)%8 != 0 {
				continue
			}
			for q, v := range params {
				qr, err := paramcrypt.Decode(v)
				if q == p || err != nil || len(qr) == 0 || len(qr)%8 != 0 {
					continue
				}
				whole := string(pr) == string(qr) && !pads[string(pr)]
				if whole && !(p == "visitorImId" && q == "nickname") {
					t.Fatalf("accepted %s with the ciphertext of %s: %+v", p, q, params)
				}
				for i := 0; i+8 <= len(pr); i += 8 {
					for j := 0; j+8 <= len(qr); j += 8 {
						if i != j && string(pr[i:i+8]) == string(qr[j:j+8]) && !pads[string(pr[i:i+8])] {
							t.Fatalf("accepted %s with block %d of %s at %d: %+v", p, j/8, q, i/8, params)
						}
					}
				}
			}
		}
	})
}

// blocks cuts a lowercase hex DES ciphertext into its 8-byte blocks (16 hex
// characters each).
func blocks(hexText string) []string {
	var out []string
	for i := 0; i+16 <= len(hexText); i += 16 {
		out = append(out, hexText[i:i+16])
	}
	return out
}

// TestEasemobSplicing: an identity, agent or tenant param made of the
// ciphertext blocks of the request's other params (ECB cut-and-paste) fails
// with spliced_param, while what Easemob really sends, where params share
// plaintext, passes. Every "refused" case passed before the check existed.
func TestEasemobSplicing(t *testing.T) {
	const webVisitor = "webim-visitor-8K2FTG9QTYWRT8EYVJ7F"
	own := enc(t, webVisitor) // 34 bytes: 5 blocks, "webim-vi" "sitor-8K" "2FTG9QTY" "WRT8EYVJ" "7F"+padding
	ob := blocks(own)
	victim2 := enc(t, "victim2") // one block
	empty := enc(t, "")          // the padding-only block
	vipAgent := "fd13ccbd-a712-4e69-9de5-e5e25fec9555"
	sealedSystem := easemob.Options{EncryptedSystemParams: true}
	hardened := easemob.Options{EncryptedSystemParams: true, TenantID: "77556", RequireKnownAgent: true}
	truncDonor := enc(t, "webim-visitor-VI-and-more")
	iosSealed := func() map[string]string {
		out := map[string]string{}
		for k, v := range query(t, iosAppVisitor) {
			out[k] = enc(t, v) // encryptAll, system params too (Easemob's 同时加密系统自带参数)
		}
		return out
	}
	with := func(base map[string]string, kv ...string) map[string]string {
		for i := 0; i < len(kv); i += 2 {
			base[kv[i]] = kv[i+1]
		}
		return base
	}
	tests := []struct {
		name      string
		keys      []string
		opts      easemob.Options
		params    map[string]string
		spliced   bool   // want CodeSplicedParam
		visitor   string // else: the visitor id taken
		display   string
		agent     adapter.Agent
		wantPlain string // a plaintext the spliced param decrypts to (shows the attack is real)
	}{
		// Refused.
		{
			name:      "own visitorImId's first block + nickname victim2's ciphertext",
			opts:      sealedSystem,
			params:    map[string]string{"visitorImId": ob[0] + victim2, "nickname": victim2, "to": own},
			spliced:   true,
			wantPlain: "webim-vivictim2",
		},
		{
			name:      "the same splice in uppercase hex, nickname in lowercase",
			opts:      sealedSystem,
			params:    map[string]string{"visitorImId": strings.ToUpper(ob[0] + victim2), "nickname": victim2},
			spliced:   true,
			wantPlain: "webim-vivictim2",
		},
		{
			name:      "trueName's ciphertext as agentId, known agent required",
			opts:      easemob.Options{RequireKnownAgent: true},
			params:    map[string]string{"visitorImId": "v", "agentId": enc(t, vipAgent), "trueName": enc(t, vipAgent), "nickname": enc(t, "zs")},
			spliced:   true,
			wantPlain: vipAgent,
		},
		{
			name:    "trueName's ciphertext as agentId, agent not required: refused all the same",
			params:  map[string]string{"visitorImId": "v", "agentId": enc(t, vipAgent), "trueName": enc(t, vipAgent)},
			spliced: true,
		},
		{
			name:      "a block moved from to: the visitor id cut short",
			opts:      sealedSystem,
			params:    map[string]string{"visitorImId": ob[0] + ob[1] + ob[4], "to": own, "easemobId": enc(t, "107937")},
			spliced:   true,
			wantPlain: "webim-visitor-8K7F",
		},
		{
			name:      "a nickname cut after two blocks and closed with desc's empty ciphertext",
			opts:      sealedSystem,
			params:    map[string]string{"visitorImId": blocks(truncDonor)[0] + blocks(truncDonor)[1] + empty, "nickname": truncDonor, "desc": empty},
			spliced:   true,
			wantPlain: "webim-visitor-VI",
		},
		{
			name:    "a whole trueName as visitorImId (only a nickname may equal it)",
			opts:    sealedSystem,
			params:  map[string]string{"visitorImId": enc(t, "webim-visitor-VICTIM"), "trueName": enc(t, "webim-visitor-VICTIM")},
			spliced: true,
		},
		{
			name:    "a nickname as the pinned tenant",
			opts:    easemob.Options{TenantID: "77556"},
			params:  map[string]string{"visitorImId": "v", "tenantId": enc(t, "77556"), "nickname": enc(t, "77556")},
			spliced: true,
		},
		{
			name:    "a pushed param as email",
			opts:    easemob.Options{RequireKnownAgent: true},
			params:  map[string]string{"visitorImId": "v", "email": enc(t, "vip@example.com"), "orderNo": enc(t, "vip@example.com")},
			spliced: true,
		},
		{
			name:    "userId from a nickname's second block",
			params:  map[string]string{"visitorImId": "v", "userId": blocks(enc(t, "xxxxxxxxu-123"))[1], "nickname": enc(t, "xxxxxxxxu-123")},
			spliced: true,
		},
		{
			name:    "the iOS set with trueName's ciphertext as agentId",
			opts:    hardened,
			params:  with(iosSealed(), "trueName", enc(t, vipAgent)),
			spliced: true,
		},

		// Passed: what Easemob sends.
		{
			name: "the service number ends with the tenant id: tenantId is to's last block",
			opts: hardened,
			params: map[string]string{"visitorImId": own, "easemobId": enc(t, "kefuchannelimid_77556"), "to": enc(t, "kefuchannelimid_77556"),
				"serviceNumber": enc(t, "kefuchannelimid_77556"), "tenantId": enc(t, "77556"), "agentId": enc(t, vipAgent)},
			visitor: webVisitor,
			agent:   adapter.Agent{ID: vipAgent},
		},
		{
			name:    "docs' web visitor, system params encrypted: to equals visitorImId",
			opts:    sealedSystem,
			params:  map[string]string{"easemobId": enc(t, "107937"), "visitorImId": own, "to": own},
			visitor: webVisitor,
		},
		{
			name:    "iOS agent SDK, everything encrypted: easemobId = to = serviceNumber, desc empty",
			opts:    hardened,
			params:  iosSealed(),
			visitor: "im-visitor-7",
			display: "admin",
			agent:   adapter.Agent{ID: vipAgent, Email: "houli@163.com", Name: "Admin", UserID: "baa85dce-ef23-4993-b836-6cc437acd320"},
		},
		{
			name:    "nickname webim-visitor-: a common first block",
			opts:    sealedSystem,
			params:  map[string]string{"visitorImId": own, "to": own, "nickname": enc(t, "webim-visitor-")},
			visitor: webVisitor,
			display: "webim-visitor-",
		},
		{
			name:    "nickname extends the visitor id: four common blocks",
			opts:    sealedSystem,
			params:  map[string]string{"visitorImId": own, "nickname": enc(t, webVisitor+"-手机")},
			visitor: webVisitor,
			display: webVisitor + "-手机",
		},
		{
			name:    "nickname webim-vi: the common block, then padding alone",
			opts:    sealedSystem,
			params:  map[string]string{"visitorImId": own, "nickname": enc(t, "webim-vi")},
			visitor: webVisitor,
			display: "webim-vi",
		},
		{
			name:    "Easemob's default nickname is the visitor id itself",
			opts:    sealedSystem,
			params:  map[string]string{"visitorImId": own, "to": own, "nickname": own},
			visitor: webVisitor,
			display: webVisitor,
		},
		{
			name:    "lengths that are multiples of 8 end in the same padding block",
			opts:    hardened,
			params:  map[string]string{"visitorImId": enc(t, "oAbC1234oAbC1234"), "nickname": enc(t, "zhangsan"), "tenantId": enc(t, "77556"), "agentId": enc(t, "agent-01"), "trueName": enc(t, "Zhang San 12345!")},
			visitor: "oAbC1234oAbC1234",
			display: "Zhang San 12345!",
			agent:   adapter.Agent{ID: "agent-01"},
		},
		{
			name:    "empty params all encrypt to the padding block",
			opts:    sealedSystem,
			params:  map[string]string{"visitorImId": own, "email": empty, "userId": empty, "desc": empty, "agentName": empty},
			visitor: webVisitor,
		},
		{
			name:    "an agent named by their e-mail",
			opts:    easemob.Options{RequireKnownAgent: true},
			params:  map[string]string{"visitorImId": "v", "email": enc(t, "amy@example.com"), "agentName": enc(t, "amy@example.com")},
			visitor: "v",
			agent:   adapter.Agent{Email: "amy@example.com", Name: "amy@example.com"},
		},
		{
			name:    "system params in clear: not guarded (anyone may write another id anyway)",
			params:  map[string]string{"visitorImId": ob[0] + victim2, "nickname": victim2},
			visitor: "webim-vivictim2",
			display: "victim2",
		},
		{
			name:    "no key: every param taken as sent",
			keys:    []string{},
			params:  map[string]string{"visitorImId": "v", "agentId": enc(t, vipAgent), "trueName": enc(t, vipAgent)},
			visitor: "v",
			display: enc(t, vipAgent),
			agent:   adapter.Agent{ID: enc(t, vipAgent)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := tt.keys
			if keys == nil {
				keys = []string{key, prevKey}
			}
			a, err := easemob.New(keys, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.Decode(tt.params)
			if tt.spliced {
				var secrets []string
				for _, v := range tt.params {
					secrets = append(secrets, v)
				}
				e := wantCode(t, err, adapter.CodeSplicedParam, append(secrets, keys...)...)
				if e.Kind != apperr.Forbidden {
					t.Errorf("kind = %v, want forbidden", e.Kind)
				}
				if tt.wantPlain != "" {
					c, err := paramcrypt.NewDES(key)
					if err != nil {
						t.Fatal(err)
					}
					found := false
					for _, v := range tt.params {
						if d, err := c.Decrypt(v); err == nil && d == tt.wantPlain {
							found = true
						}
					}
					if !found {
						t.Errorf("no param decrypts to %q: the case does not show the attack", tt.wantPlain)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.VisitorID != tt.visitor || got.DisplayName != tt.display || got.Agent != tt.agent {
				t.Errorf("Decode = visitor %q, name %q, agent %+v; want %q, %q, %+v", got.VisitorID, got.DisplayName, got.Agent, tt.visitor, tt.display, tt.agent)
			}
		})
	}
}

// TestEasemobSplicingNoOracle: the spliced_param answer is decided on the
// ciphertexts alone. A spliced agentId whose plaintext has good padding,
// bad padding or is not UTF-8 gives byte-identical answers, whether the
// integration requires a known agent (agentId may fail the request) or not
// (agentId would be dropped if it did not decrypt).
func TestEasemobSplicingNoOracle(t *testing.T) {
	n := enc(t, "victim2")                                     // one block, "victim2\x01"
	m := blocks(enc(t, "victim2x"))[0]                         // "victim2x": bad padding as a last block
	x := blocks(enc(t, "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8"))[0] // not UTF-8
	for _, opts := range []easemob.Options{{}, {RequireKnownAgent: true}, {RequireKnownAgent: true, EncryptedSystemParams: true, TenantID: "88"}} {
		a, err := easemob.New([]string{key, prevKey}, opts)
		if err != nil {
			t.Fatal(err)
		}
		var errs []error
		for _, p := range []map[string]string{
			{"agentId": n + n, "nickname": n},                         // decrypts: "victim2\x01victim2"
			{"agentId": m + m, "nickname": enc(t, "victim2x")},        // bad padding
			{"agentId": x + n, "nickname": n},                         // not UTF-8
			{"agentId": encWith(t, otherKey, "a") + n, "trueName": n}, // a block of another key
		} {
			p["visitorImId"] = enc(t, "v")
			p["tenantId"] = enc(t, "88")
			_, err := a.Decode(p)
			errs = append(errs, err)
		}
		sameAnswers(t, adapter.CodeSplicedParam, errs...)
	}
}
