package adapter_test

import (
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/adapter"
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
	hardened := adapter.EasemobOptions{EncryptedSystemParams: true, TenantID: "88"}
	tests := []struct {
		name     string
		keys     []string
		opts     adapter.EasemobOptions
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
			opts:   adapter.EasemobOptions{EncryptedSystemParams: true},
			params: map[string]string{"visitorImId": enc(t, "oAbC"), "to": enc(t, "gh_1")},
			want:   adapter.Claims{Channel: "wechat", VisitorID: "oAbC", Scope: "gh_1", Extra: map[string]string{}},
		},
		{
			name:   "tenant pinned, system params in clear",
			keys:   []string{key},
			opts:   adapter.EasemobOptions{TenantID: "88"},
			params: map[string]string{"visitorImId": "v", "tenantId": enc(t, "88")},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v", TenantID: "88", Extra: map[string]string{}},
		},

		{name: "missing visitorImId", keys: []string{key}, params: map[string]string{"easemobId": "x"}, wantCode: adapter.CodeMissingParam},
		{name: "empty visitorImId", params: map[string]string{"visitorImId": " "}, wantCode: adapter.CodeMissingParam},
		{name: "hardened: missing visitorImId", keys: []string{key}, opts: adapter.EasemobOptions{EncryptedSystemParams: true}, params: map[string]string{"agentName": enc(t, "Amy")}, wantCode: adapter.CodeMissingParam},
		{name: "visitor id too long", params: map[string]string{"visitorImId": strings.Repeat("v", adapter.MaxVisitorID+1)}, wantCode: adapter.CodeTooLarge},
		{name: "not hex", keys: []string{key}, params: map[string]string{"visitorImId": "v", "agentName": "Amy!"}, wantCode: adapter.CodeInvalidParam},
		{name: "not whole blocks", keys: []string{key}, params: map[string]string{"visitorImId": "v", "agentName": "50a0f4e259"}, wantCode: adapter.CodeInvalidParam},
		{name: "agent in clear refused", keys: []string{key}, params: map[string]string{"visitorImId": "v", "agentId": "12"}, wantCode: adapter.CodeInvalidParam},
		{name: "lang not on the plain list", keys: []string{key}, params: map[string]string{"visitorImId": "v", "lang": "fr"}, wantCode: adapter.CodeInvalidParam},
		{name: "wrong key", keys: []string{otherKey}, params: map[string]string{"visitorImId": "v", "agentName": enc(t, "Amy")}, wantCode: adapter.CodeDecryptFailed},
		{name: "rotation: a third key fails", keys: rotation, params: map[string]string{"visitorImId": "v", "agentName": encWith(t, otherKey, "Amy")}, wantCode: adapter.CodeDecryptFailed},
		{name: "rotation: one request, two keys", keys: rotation, params: map[string]string{"visitorImId": "v", "agentName": enc(t, "Amy"), "email": encWith(t, prevKey, "a@example.com")}, wantCode: adapter.CodeDecryptFailed},
		{name: "hardened: plain visitorImId", keys: []string{key}, opts: hardened, params: map[string]string{"visitorImId": "webim-visitor-XYZ", "tenantId": enc(t, "88")}, wantCode: adapter.CodePlainSystemParam},
		{name: "hardened: plain hex-looking visitorImId", keys: []string{key}, opts: hardened, params: map[string]string{"visitorImId": "0123456789abcdef", "tenantId": enc(t, "88")}, wantCode: adapter.CodePlainSystemParam},
		{name: "hardened: plain easemobId", keys: []string{key}, opts: hardened, params: map[string]string{"easemobId": "kefu-im", "visitorImId": enc(t, "v"), "tenantId": enc(t, "88")}, wantCode: adapter.CodePlainSystemParam},
		{name: "hardened: visitorImId with a third key", keys: rotation, opts: hardened, params: map[string]string{"visitorImId": encWith(t, otherKey, "v"), "tenantId": enc(t, "88")}, wantCode: adapter.CodePlainSystemParam},
		{name: "tenant mismatch", keys: []string{key}, opts: hardened, params: map[string]string{"visitorImId": enc(t, "v"), "tenantId": enc(t, "89")}, wantCode: adapter.CodeTenantMismatch},
		{name: "tenant missing", keys: []string{key}, opts: adapter.EasemobOptions{TenantID: "88"}, params: map[string]string{"visitorImId": "v"}, wantCode: adapter.CodeTenantMismatch},
		{name: "tenant in clear", keys: []string{key}, opts: adapter.EasemobOptions{TenantID: "88"}, params: map[string]string{"visitorImId": "v", "tenantId": "88"}, wantCode: adapter.CodeInvalidParam},
		{name: "too many params", params: manyParams("visitorImId", 70), wantCode: adapter.CodeTooLarge},
		{name: "value too long", params: map[string]string{"visitorImId": strings.Repeat("v", adapter.MaxParamValue+1)}, wantCode: adapter.CodeTooLarge},
		{name: "name too long", params: map[string]string{"visitorImId": "v", strings.Repeat("n", adapter.MaxParamName+1): "x"}, wantCode: adapter.CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := adapter.NewEasemob(tt.keys, tt.opts)
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
// not UTF-8 give byte-identical errors, whichever param carried them and
// however many keys were tried; and likewise for the system params when they
// must be encrypted.
func TestEasemobNoPaddingOracle(t *testing.T) {
	badPadding := "50a0f4e259a3dbbf"
	notUTF8 := enc(t, "\xff\xfe")
	for _, keys := range [][]string{{key}, {key, prevKey}} {
		a, err := adapter.NewEasemob(keys, adapter.EasemobOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var errs []error
		for _, p := range []map[string]string{
			{"visitorImId": "v", "agentName": badPadding},
			{"visitorImId": "v", "email": notUTF8},
			{"visitorImId": "v", "nickname": badPadding},
			{"visitorImId": "v", "nickname": encWith(t, otherKey, "x")},
		} {
			_, err := a.Decode(p)
			errs = append(errs, err)
		}
		sameAnswers(t, adapter.CodeDecryptFailed, errs...)

		h, err := adapter.NewEasemob(keys, adapter.EasemobOptions{EncryptedSystemParams: true})
		if err != nil {
			t.Fatal(err)
		}
		errs = nil
		for _, v := range []string{badPadding, notUTF8, "plain-visitor", "0123456789abcdef", encWith(t, otherKey, "v")} {
			_, err := h.Decode(map[string]string{"visitorImId": v})
			errs = append(errs, err)
		}
		sameAnswers(t, adapter.CodePlainSystemParam, errs...)
	}
}

func TestNewEasemob(t *testing.T) {
	tests := []struct {
		name     string
		keys     []string
		opts     adapter.EasemobOptions
		wantCode string
	}{
		{name: "no key", keys: nil},
		{name: "one key", keys: []string{key}},
		{name: "rotation", keys: []string{key, prevKey}},
		{name: "8-character key", keys: []string{"12345678"}, wantCode: adapter.CodeInvalidKey},
		{name: "short previous key", keys: []string{key, "short"}, wantCode: adapter.CodeInvalidKey},
		{name: "encrypted system params without a key", opts: adapter.EasemobOptions{EncryptedSystemParams: true}, wantCode: adapter.CodeInvalidOption},
		{name: "tenant pin without a key", keys: []string{""}, opts: adapter.EasemobOptions{TenantID: "88"}, wantCode: adapter.CodeInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := adapter.NewEasemob(tt.keys, tt.opts)
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
	plain, err := adapter.NewEasemob([]string{key, prevKey}, adapter.EasemobOptions{})
	if err != nil {
		f.Fatal(err)
	}
	hardened, err := adapter.NewEasemob([]string{key, prevKey}, adapter.EasemobOptions{EncryptedSystemParams: true, TenantID: "88"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("v-1", "50a0f4e259a3dbbe", "zh", "", false)
	f.Add("v-1", "877523f86f18f55e", "en", "gh_1", false)
	f.Add(enc(f, "v-1"), enc(f, "Amy"), "en", enc(f, "88"), true)
	f.Add("", "zz", "en", "", false)
	f.Fuzz(func(t *testing.T, visitor, agentName, lang, tenant string, strict bool) {
		a := plain
		if strict {
			a = hardened
		}
		c, err := a.Decode(map[string]string{"visitorImId": visitor, "agentName": agentName, "lang": lang, "tenantId": tenant})
		checkFuzzResult(t, c, err)
		if err != nil {
			return
		}
		if !strict && c.VisitorID != strings.TrimSpace(visitor) {
			t.Fatalf("VisitorID = %q, want the trimmed visitorImId %q", c.VisitorID, visitor)
		}
		if strict && c.TenantID != "88" {
			t.Fatalf("pinned adapter accepted tenant %q", c.TenantID)
		}
	})
}
