package adapter_test

import (
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/paramcrypt"
)

const key = "kefu2024secret"

func enc(t *testing.T, s string) string {
	t.Helper()
	c, err := paramcrypt.NewDES(key)
	if err != nil {
		t.Fatal(err)
	}
	return c.Encrypt(s)
}

func TestEasemobDecode(t *testing.T) {
	tests := []struct {
		name     string
		key      string
		params   map[string]string
		want     adapter.Claims
		wantCode string
	}{
		{
			name:   "encrypted add-ons",
			key:    key,
			params: map[string]string{"easemobId": "kefu-im", "visitorImId": "v-1", "agentName": enc(t, "小王"), "email": enc(t, "agent@example.com"), "agentId": enc(t, "a-9"), "tenantId": enc(t, "88"), "lang": enc(t, "en"), "orderNo": enc(t, "SO-1")},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v-1", TenantID: "88", Lang: "en", Agent: adapter.Agent{ID: "a-9", Email: "agent@example.com", Name: "小王"}, Extra: map[string]string{"orderNo": "SO-1"}},
		},
		{
			name:   "uppercase hex and plain lang",
			key:    key,
			params: map[string]string{"visitorImId": "v-2", "agentName": strings.ToUpper(enc(t, "Amy")), "lang": "zh"},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v-2", Lang: "zh", Agent: adapter.Agent{Name: "Amy"}, Extra: map[string]string{}},
		},
		{
			name:   "wechat",
			key:    key,
			params: map[string]string{"visitorImId": "oAbC123", "to": enc(t, "gh_123")},
			want:   adapter.Claims{Channel: "wechat", VisitorID: "oAbC123", Scope: "gh_123", Extra: map[string]string{}},
		},
		{
			name:   "no key: everything in clear",
			params: map[string]string{"visitorImId": "v-3", "agentName": "Amy", "nickname": "Bob"},
			want:   adapter.Claims{Channel: "easemob", VisitorID: "v-3", Agent: adapter.Agent{Name: "Amy"}, Extra: map[string]string{"nickname": "Bob"}},
		},
		{name: "missing visitorImId", key: key, params: map[string]string{"easemobId": "x"}, wantCode: adapter.CodeMissingParam},
		{name: "empty visitorImId", params: map[string]string{"visitorImId": " "}, wantCode: adapter.CodeMissingParam},
		{name: "not hex", key: key, params: map[string]string{"visitorImId": "v", "agentName": "Amy!"}, wantCode: adapter.CodeInvalidParam},
		{name: "not whole blocks", key: key, params: map[string]string{"visitorImId": "v", "agentName": "50a0f4e259"}, wantCode: adapter.CodeInvalidParam},
		{name: "agent in clear refused", key: key, params: map[string]string{"visitorImId": "v", "agentId": "12"}, wantCode: adapter.CodeInvalidParam},
		{name: "wrong key", key: "another-key-xyz", params: map[string]string{"visitorImId": "v", "agentName": enc(t, "Amy")}, wantCode: adapter.CodeDecryptFailed},
		{name: "too many params", params: manyParams(70), wantCode: adapter.CodeTooLarge},
		{name: "value too long", params: map[string]string{"visitorImId": strings.Repeat("v", adapter.MaxParamValue+1)}, wantCode: adapter.CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := adapter.NewEasemob(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.Decode(tt.params)
			if tt.wantCode != "" {
				e := apperr.As(err)
				if e == nil || e.Code != tt.wantCode {
					t.Fatalf("Decode error = %v, want code %s", err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.Channel != tt.want.Channel || got.VisitorID != tt.want.VisitorID || got.Scope != tt.want.Scope ||
				got.TenantID != tt.want.TenantID || got.Lang != tt.want.Lang || got.Agent != tt.want.Agent {
				t.Errorf("Decode = %+v\nwant     %+v", got, tt.want)
			}
			if len(got.Extra) != len(tt.want.Extra) {
				t.Errorf("Extra = %v, want %v", got.Extra, tt.want.Extra)
			}
			for k, v := range tt.want.Extra {
				if got.Extra[k] != v {
					t.Errorf("Extra[%s] = %q, want %q", k, got.Extra[k], v)
				}
			}
		})
	}
}

// TestEasemobNoPaddingOracle checks that bad padding and a plaintext that is
// not UTF-8 give byte-identical errors, whichever param carried them.
func TestEasemobNoPaddingOracle(t *testing.T) {
	a, err := adapter.NewEasemob(key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := paramcrypt.NewDES(key)
	badPadding := "50a0f4e259a3dbbf"
	notUTF8 := c.Encrypt("\xff\xfe")
	var msgs []string
	for _, p := range []map[string]string{
		{"visitorImId": "v", "agentName": badPadding},
		{"visitorImId": "v", "email": notUTF8},
		{"visitorImId": "v", "nickname": badPadding},
	} {
		_, err := a.Decode(p)
		e := apperr.As(err)
		if e == nil || e.Code != adapter.CodeDecryptFailed {
			t.Fatalf("Decode(%v) = %v, want %s", p, err, adapter.CodeDecryptFailed)
		}
		msgs = append(msgs, e.Kind.String()+e.Code+e.Message)
	}
	for _, m := range msgs[1:] {
		if m != msgs[0] {
			t.Fatalf("errors differ: %q vs %q", m, msgs[0])
		}
	}
}

func TestNewEasemobShortKey(t *testing.T) {
	if _, err := adapter.NewEasemob("12345678"); err == nil {
		t.Fatal("NewEasemob accepted an 8-character key")
	}
}

func manyParams(n int) map[string]string {
	m := map[string]string{"visitorImId": "v"}
	for i := 0; len(m) < n; i++ {
		m["p"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26))] = "1"
	}
	return m
}

func FuzzEasemobDecode(f *testing.F) {
	a, err := adapter.NewEasemob(key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("v-1", "50a0f4e259a3dbbe", "zh")
	f.Add("", "zz", "en")
	f.Fuzz(func(t *testing.T, visitor, agentName, lang string) {
		c, err := a.Decode(map[string]string{"visitorImId": visitor, "agentName": agentName, "lang": lang})
		if err != nil {
			if apperr.As(err) == nil {
				t.Fatalf("Decode returned a non-client error: %v", err)
			}
			return
		}
		if strings.TrimSpace(visitor) == "" || c.VisitorID == "" {
			t.Fatalf("Decode accepted an empty visitor: %+v", c)
		}
	})
}
