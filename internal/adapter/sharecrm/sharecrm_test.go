package sharecrm_test

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/adapter/sharecrm"
	"github.com/crmlens/crmlens/internal/paramcrypt"
)

const (
	aesKey      = "MDEyMzQ1Njc4OWFiY2RlZg=="                     // 16 bytes, current
	aesPrevKey  = "c2hhcmVjcm0tMjQtYnl0ZS1rZXkhISEh"             // 24 bytes, previous
	aesOtherKey = "VGhpcyBpcyBhIDMyIGJ5dGUga2V5IGZvciBBRVMhISE=" // 32 bytes, neither

	// SHA-256 of "full_name=Zhang San\nphone=15912345678" and of
	// "full_name=李四\nphone=13800138000", computed outside Go.
	zhangSanID = "50d3f4c982beb87bd524c2f2ffa137775df7a810666a1df5c1d3ee4313cb4726"
	liSiID     = "15361b2b2c31ab43af454fd770f0dcb5d1ec27098797a76e5733b106ee41fad7"
)

// zhang158ID is the visitor id of Zhang San with phone 15800001111.
var zhang158ID = sha256Hex("full_name=Zhang San\nphone=15800001111")

// nestedTooMany is a customParams object with the verification fields and
// more nested fields than MaxVerifiedFields allows in all.
func nestedTooMany(t testing.TB) string {
	m := map[string]any{"full_name": "A", "phone": "1"}
	for i := 0; len(m) <= adapter.MaxVerifiedFields; i++ {
		m[fmt.Sprintf("n%d", i)] = []int{i}
	}
	return mustJSON(t, m)
}

func encAES(t testing.TB, k, s string) string {
	t.Helper()
	c, err := paramcrypt.NewAES(k)
	if err != nil {
		t.Fatal(err)
	}
	return c.Encrypt(s)
}

// aesVector returns the JDK ciphertext of plaintext under k from
// crypto-vectors.json.
func aesVector(t testing.TB, v vectors, k, plaintext string) string {
	t.Helper()
	for _, vec := range v.AES {
		if vec.Key == k && vec.Plaintext == plaintext {
			return vec.Ciphertext
		}
	}
	t.Fatalf("no AES vector for %s", plaintext)
	return ""
}

func TestShareCRMDecode(t *testing.T) {
	v := loadVectors(t)
	const zhang = `{"full_name":"Zhang San","phone":"15912345678"}`
	const li = `{"full_name":"李四","phone":"13800138000","email":"li.si@example.cn"}`
	zhangCT := aesVector(t, v, aesKey, zhang)
	liCT := aesVector(t, v, aesKey, li)
	rotation := []string{aesKey, aesPrevKey}
	zhangVerified := map[string]string{"full_name": "Zhang San", "phone": "15912345678"}
	liVerified := map[string]string{"full_name": "李四", "phone": "13800138000", "email": "li.si@example.cn"}

	tooMany := map[string]any{"full_name": "A", "phone": "1"}
	for i := 0; len(tooMany) <= adapter.MaxVerifiedFields; i++ {
		tooMany[fmt.Sprintf("f%d", i)] = "x"
	}

	tests := []struct {
		name     string
		keys     []string
		fields   []string
		params   map[string]string
		want     adapter.Claims
		wantCode string
		wantMsg  string // in the error message
	}{
		{
			name:   "JDK vector",
			keys:   []string{aesKey},
			params: map[string]string{"customParams": zhangCT},
			want:   adapter.Claims{VisitorID: zhangSanID, DisplayName: "Zhang San", Verified: zhangVerified, Extra: map[string]string{}},
		},
		{
			name:   "JDK vector with Chinese name and email",
			keys:   []string{aesKey},
			params: map[string]string{"customParams": liCT, "lang": "zh-CN", "source": "mall"},
			want:   adapter.Claims{VisitorID: liSiID, DisplayName: "李四", Lang: "zh", Verified: liVerified, Extra: map[string]string{"source": "mall"}},
		},
		{
			name:   "lowercase hex and spaces around it",
			keys:   []string{aesKey},
			params: map[string]string{"customParams": " " + strings.ToLower(zhangCT) + "\n"},
			want:   adapter.Claims{VisitorID: zhangSanID, DisplayName: "Zhang San", Verified: zhangVerified, Extra: map[string]string{}},
		},
		{
			name:   "numbers become their text; values trimmed",
			keys:   []string{aesKey},
			params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":" Zhang San ","phone":15912345678,"age":40.5,"note":""}`)},
			want:   adapter.Claims{VisitorID: zhangSanID, DisplayName: "Zhang San", Verified: map[string]string{"full_name": "Zhang San", "phone": "15912345678", "age": "40.5"}, Extra: map[string]string{}},
		},
		{
			name:   "same person, other spelling: same visitor",
			keys:   []string{aesKey},
			params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"Zhang   San","phone":"159-1234 5678"}`)},
			want:   adapter.Claims{VisitorID: zhangSanID, DisplayName: "Zhang San", Verified: map[string]string{"full_name": "Zhang   San", "phone": "159-1234 5678"}, Extra: map[string]string{}},
		},
		{
			name:   "verification by email, lowercased",
			keys:   []string{aesKey},
			fields: []string{"email"},
			params: map[string]string{"customParams": encAES(t, aesKey, `{"email":"Li.Si@Example.CN"}`)},
			want:   adapter.Claims{VisitorID: sha256Hex("email=li.si@example.cn"), Verified: map[string]string{"email": "Li.Si@Example.CN"}, Extra: map[string]string{}},
		},
		{
			name:   "Jackson: a null field is absent",
			keys:   []string{aesKey},
			params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"Zhang San","phone":"15800001111","email":null}`)},
			want:   adapter.Claims{VisitorID: zhang158ID, DisplayName: "Zhang San", Verified: map[string]string{"full_name": "Zhang San", "phone": "15800001111"}, Extra: map[string]string{}},
		},
		{
			name:   "Jackson: numeric phone keeps its digits, numbers keep their text",
			keys:   []string{aesKey},
			params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"Zhang San","phone":15800001111,"score":1.58e10,"big":12345678901234567890123,"neg":-0.50}`)},
			want: adapter.Claims{VisitorID: zhang158ID, DisplayName: "Zhang San", Extra: map[string]string{},
				Verified: map[string]string{"full_name": "Zhang San", "phone": "15800001111", "score": "1.58e10", "big": "12345678901234567890123", "neg": "-0.50"}},
		},
		{
			name:   "Jackson: booleans are text",
			keys:   []string{aesKey},
			params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"Zhang San","phone":"15800001111","vip":true,"blocked":false}`)},
			want: adapter.Claims{VisitorID: zhang158ID, DisplayName: "Zhang San", Extra: map[string]string{},
				Verified: map[string]string{"full_name": "Zhang San", "phone": "15800001111", "vip": "true", "blocked": "false"}},
		},
		{
			name: "Jackson: arrays and objects are compact extras, not matched on",
			keys: []string{aesKey},
			params: map[string]string{"source": "mall", "tags": "from the URL", "customParams": encAES(t, aesKey,
				`{"full_name":"Zhang San","phone":"15800001111","tags":[ "vip", 2, null ],"address":{ "city" : "上海", "zip":"200000" },"empty":{}}`)},
			want: adapter.Claims{VisitorID: zhang158ID, DisplayName: "Zhang San",
				Verified: map[string]string{"full_name": "Zhang San", "phone": "15800001111"},
				Extra:    map[string]string{"source": "mall", "tags": `["vip",2,null]`, "address": `{"city":"上海","zip":"200000"}`, "empty": `{}`}},
		},
		{
			name:   "UTF-8 byte order mark before the object",
			keys:   []string{aesKey},
			params: map[string]string{"customParams": encAES(t, aesKey, "\ufeff"+zhang)},
			want:   adapter.Claims{VisitorID: zhangSanID, DisplayName: "Zhang San", Verified: zhangVerified, Extra: map[string]string{}},
		},
		{
			name:   "byte order mark with the previous key",
			keys:   rotation,
			params: map[string]string{"customParams": encAES(t, aesPrevKey, "\ufeff"+`{"full_name":"Zhang San","phone":15912345678,"email":null}`)},
			want:   adapter.Claims{VisitorID: zhangSanID, DisplayName: "Zhang San", Verified: zhangVerified, Extra: map[string]string{}},
		},
		{
			name:   "rotation: previous key's JDK vector",
			keys:   rotation,
			params: map[string]string{"customParams": aesVector(t, v, aesPrevKey, zhang)},
			want:   adapter.Claims{VisitorID: zhangSanID, DisplayName: "Zhang San", Verified: zhangVerified, Extra: map[string]string{}},
		},
		{
			name:   "rotation: current key",
			keys:   rotation,
			params: map[string]string{"customParams": liCT},
			want:   adapter.Claims{VisitorID: liSiID, DisplayName: "李四", Verified: liVerified, Extra: map[string]string{}},
		},

		{name: "missing customParams", keys: []string{aesKey}, params: map[string]string{"lang": "zh"}, wantCode: adapter.CodeMissingParam},
		{name: "empty customParams", keys: []string{aesKey}, params: map[string]string{"customParams": "  "}, wantCode: adapter.CodeMissingParam},
		{name: "not hex", keys: []string{aesKey}, params: map[string]string{"customParams": zhangCT[:30] + "XY"}, wantCode: adapter.CodeInvalidParam},
		{name: "base64 is not hex", keys: []string{aesKey}, params: map[string]string{"customParams": hexToBase64(t, zhangCT)}, wantCode: adapter.CodeInvalidParam},
		{name: "odd number of digits", keys: []string{aesKey}, params: map[string]string{"customParams": zhangCT[:31]}, wantCode: adapter.CodeInvalidParam},
		{name: "not whole blocks", keys: []string{aesKey}, params: map[string]string{"customParams": zhangCT[:40]}, wantCode: adapter.CodeInvalidParam},
		{name: "wrong key", keys: []string{aesOtherKey}, params: map[string]string{"customParams": zhangCT}, wantCode: adapter.CodeDecryptFailed},
		{name: "rotation: a third key fails", keys: rotation, params: map[string]string{"customParams": aesVector(t, v, aesOtherKey, zhang)}, wantCode: adapter.CodeDecryptFailed},
		{name: "empty plaintext (JDK vector)", keys: []string{aesKey}, params: map[string]string{"customParams": aesVector(t, v, aesKey, "")}, wantCode: adapter.CodeDecryptFailed},
		{name: "not JSON (JDK vector)", keys: []string{aesKey}, params: map[string]string{"customParams": aesVector(t, v, aesKey, "0123456789abcdef")}, wantCode: adapter.CodeDecryptFailed},
		{name: "JSON array", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `["Zhang San"]`)}, wantCode: adapter.CodeDecryptFailed},
		{name: "JSON null", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `null`)}, wantCode: adapter.CodeDecryptFailed},
		{name: "trailing data", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, zhang+` {}`)}, wantCode: adapter.CodeDecryptFailed},
		{name: "BOM then not JSON", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, "\ufeffnot json")}, wantCode: adapter.CodeDecryptFailed},
		{name: "BOM then an array", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, "\ufeff[1]")}, wantCode: adapter.CodeDecryptFailed},
		{name: "two BOMs", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, "\ufeff\ufeff"+zhang)}, wantCode: adapter.CodeDecryptFailed},
		{name: "verification field is an object", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":{"a":"b"},"phone":"1"}`)}, wantCode: adapter.CodeInvalidClaim, wantMsg: "full_name is an array or object"},
		{name: "verification field is an array", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"A","phone":["15912345678"]}`)}, wantCode: adapter.CodeInvalidClaim, wantMsg: "phone is an array or object"},
		{name: "null phone is a missing phone", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"A","phone":null}`)}, wantCode: adapter.CodeMissingClaim, wantMsg: "customParams has no phone"},
		{name: "Jackson object with every field null", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":null,"phone":null,"email":null}`)}, wantCode: adapter.CodeMissingClaim, wantMsg: "customParams has no full_name"},
		{name: "empty object", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `{}`)}, wantCode: adapter.CodeMissingClaim, wantMsg: "customParams has no full_name"},
		{name: "boolean phone has no digits", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"A","phone":true}`)}, wantCode: adapter.CodeMissingClaim, wantMsg: "customParams has no phone"},
		{name: "missing phone", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"Zhang San"}`)}, wantCode: adapter.CodeMissingClaim, wantMsg: "customParams has no phone"},
		{name: "configured email is null", keys: []string{aesKey}, fields: []string{"email"}, params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"Zhang San","phone":"15800001111","email":null}`)}, wantCode: adapter.CodeMissingClaim, wantMsg: "customParams has no email"},
		{name: "nested fields count towards the limit", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, nestedTooMany(t))}, wantCode: adapter.CodeTooLarge},
		{name: "blank full_name", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"  ","phone":"1"}`)}, wantCode: adapter.CodeMissingClaim},
		{name: "phone without digits", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"A","phone":"+--"}`)}, wantCode: adapter.CodeMissingClaim},
		{name: "configured field missing", keys: []string{aesKey}, fields: []string{"email"}, params: map[string]string{"customParams": zhangCT}, wantCode: adapter.CodeMissingClaim},
		{name: "too many fields", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, mustJSON(t, tooMany))}, wantCode: adapter.CodeTooLarge},
		{name: "value too long", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"`+strings.Repeat("长", adapter.MaxVerifiedValue+1)+`","phone":"1"}`)}, wantCode: adapter.CodeTooLarge},
		{name: "field name too long", keys: []string{aesKey}, params: map[string]string{"customParams": encAES(t, aesKey, `{"full_name":"A","phone":"1","`+strings.Repeat("n", adapter.MaxParamName+1)+`":"x"}`)}, wantCode: adapter.CodeTooLarge},
		{name: "too many params", keys: []string{aesKey}, params: manyParams("customParams", 70), wantCode: adapter.CodeTooLarge},
		{name: "customParams too long", keys: []string{aesKey}, params: map[string]string{"customParams": strings.Repeat("00", adapter.MaxParamValue)}, wantCode: adapter.CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := sharecrm.New(tt.keys, sharecrm.Options{VerificationFields: tt.fields})
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.Decode(tt.params)
			if tt.wantCode != "" {
				secrets := append([]string{"15912345678", "13800138000", "li.si@example.cn", tt.params["customParams"]}, tt.keys...)
				e := wantCode(t, err, tt.wantCode, secrets...)
				if !strings.Contains(e.Message, tt.wantMsg) {
					t.Errorf("message %q does not say %q", e.Message, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.Channel != "sharecrm" || got.VisitorID != tt.want.VisitorID || got.DisplayName != tt.want.DisplayName || got.Lang != tt.want.Lang {
				t.Errorf("Decode = %+v\nwant     %+v", got, tt.want)
			}
			sameMap(t, "Verified", got.Verified, tt.want.Verified)
			sameMap(t, "Extra", got.Extra, tt.want.Extra)
		})
	}
}

func TestShareCRMVisitorID(t *testing.T) {
	fields := sharecrm.DefaultFields
	base := adapter.VerifiedVisitorID(map[string]string{"full_name": "Zhang San", "phone": "15912345678"}, fields)
	if base != zhangSanID {
		t.Fatalf("ShareCRMVisitorID = %s, want %s", base, zhangSanID)
	}
	for _, tt := range []struct {
		name     string
		verified map[string]string
		same     bool
	}{
		{"other fields do not count", map[string]string{"full_name": "Zhang San", "phone": "15912345678", "email": "z@example.com"}, true},
		{"white space in the name", map[string]string{"full_name": "  Zhang \t San", "phone": "15912345678"}, true},
		{"phone punctuation and full-width digits", map[string]string{"full_name": "Zhang San", "phone": "１５９ 1234-5678"}, true},
		{"changed phone", map[string]string{"full_name": "Zhang San", "phone": "15912345679"}, false},
		{"leading + kept", map[string]string{"full_name": "Zhang San", "phone": "+15912345678"}, false},
		{"name case matters", map[string]string{"full_name": "zhang san", "phone": "15912345678"}, false},
		{"a line break cannot forge a field", map[string]string{"full_name": "Zhang San\nphone=15912345678", "phone": ""}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := adapter.VerifiedVisitorID(tt.verified, fields)
			if (got == base) != tt.same {
				t.Fatalf("ShareCRMVisitorID = %s, base %s, want same=%v", got, base, tt.same)
			}
		})
	}
}

// TestShareCRMNoPaddingOracle: bad padding, not UTF-8, not JSON, not an
// object and bad values give byte-identical errors, with one key or two.
func TestShareCRMNoPaddingOracle(t *testing.T) {
	v := loadVectors(t)
	zhangCT := aesVector(t, v, aesKey, `{"full_name":"Zhang San","phone":"15912345678"}`)
	last := zhangCT[len(zhangCT)-2:]
	flipped := "00"
	if last == "00" {
		flipped = "01"
	}
	inputs := map[string]string{
		"bad padding":      zhangCT[:len(zhangCT)-2] + flipped,
		"not UTF-8":        encAES(t, aesKey, "\xff\xfe\xfd"),
		"not JSON":         aesVector(t, v, aesKey, "0123456789abcdef"),
		"empty plaintext":  aesVector(t, v, aesKey, ""),
		"not an object":    encAES(t, aesKey, `["full_name","phone"]`),
		"a JSON string":    encAES(t, aesKey, `"Zhang San"`),
		"BOM, not JSON":    encAES(t, aesKey, "\ufeff{"),
		"BOM, an array":    encAES(t, aesKey, "\ufeff[]"),
		"not UTF-8 object": encAES(t, aesKey, "{\"full_name\":\"\xff\",\"phone\":\"1\"}"),
		"another key":      aesVector(t, v, aesOtherKey, `{"full_name":"Zhang San","phone":"15912345678"}`),
		"truncated object": encAES(t, aesKey, `{"full_name":"A","phone":"1"`),
	}
	for _, keys := range [][]string{{aesKey}, {aesKey, aesPrevKey}, {aesPrevKey, aesKey}} {
		a, err := sharecrm.New(keys, sharecrm.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var errs []error
		for name, ct := range inputs {
			_, err := a.Decode(map[string]string{"customParams": ct})
			if err == nil {
				t.Fatalf("%s: Decode accepted it", name)
			}
			errs = append(errs, err)
		}
		sameAnswers(t, adapter.CodeDecryptFailed, errs...)
	}
}

func TestNewShareCRM(t *testing.T) {
	tests := []struct {
		name     string
		keys     []string
		fields   []string
		wantCode string
	}{
		{name: "16-byte key", keys: []string{aesKey}},
		{name: "rotation with 24- and 32-byte keys", keys: []string{aesPrevKey, aesOtherKey}},
		{name: "custom fields", keys: []string{aesKey}, fields: []string{"phone", " email ", "phone"}},
		{name: "no key", keys: nil, wantCode: adapter.CodeInvalidKey},
		{name: "only empty keys", keys: []string{"", ""}, wantCode: adapter.CodeInvalidKey},
		{name: "not base64", keys: []string{"not base64!"}, wantCode: adapter.CodeInvalidKey},
		{name: "10-byte key", keys: []string{base64.StdEncoding.EncodeToString([]byte("0123456789"))}, wantCode: adapter.CodeInvalidKey},
		{name: "bad previous key", keys: []string{aesKey, "MTIz"}, wantCode: adapter.CodeInvalidKey},
		{name: "field with a space", keys: []string{aesKey}, fields: []string{"full name"}, wantCode: adapter.CodeInvalidOption},
		{name: "field with =", keys: []string{aesKey}, fields: []string{"a=b"}, wantCode: adapter.CodeInvalidOption},
		{name: "empty field", keys: []string{aesKey}, fields: []string{""}, wantCode: adapter.CodeInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := sharecrm.New(tt.keys, sharecrm.Options{VerificationFields: tt.fields})
			if tt.wantCode != "" {
				wantCode(t, err, tt.wantCode, tt.keys...)
				return
			}
			if err != nil {
				t.Fatalf("NewShareCRM: %v", err)
			}
			if tt.fields == nil && strings.Join(a.VerificationFields(), ",") != "full_name,phone" {
				t.Errorf("default fields = %v", a.VerificationFields())
			}
			if tt.fields != nil && strings.Join(a.VerificationFields(), ",") != "email,phone" {
				t.Errorf("fields = %v, want email,phone", a.VerificationFields())
			}
		})
	}
}

func FuzzShareCRMDecode(f *testing.F) {
	v := loadVectors(f)
	a, err := sharecrm.New([]string{aesKey, aesPrevKey}, sharecrm.Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, vec := range v.AES {
		f.Add(vec.Ciphertext, "zh")
	}
	f.Add(strings.ToLower(encAES(f, aesKey, `{"full_name":"A","phone":"+1 555"}`)), "en")
	f.Fuzz(func(t *testing.T, customParams, lang string) {
		c, err := a.Decode(map[string]string{"customParams": customParams, "lang": lang})
		checkFuzzResult(t, c, err)
		if err != nil {
			// A ciphertext (16+ hex digits) never appears in a message.
			if e := wantAnyCode(t, err); len(customParams) >= 16 && strings.Trim(customParams, "0123456789abcdefABCDEF") == "" && strings.Contains(e.Message, customParams) {
				t.Fatalf("message shows customParams: %q", e.Message)
			}
			return
		}
		if c.Channel != "sharecrm" || len(c.VisitorID) != 64 || strings.ToLower(c.VisitorID) != c.VisitorID {
			t.Fatalf("Decode = %+v: want channel sharecrm and a SHA-256 visitor id", c)
		}
		if c.Verified["full_name"] == "" || c.Verified["phone"] == "" || len(c.Verified) > adapter.MaxVerifiedFields {
			t.Fatalf("Decode accepted Verified %v", c.Verified)
		}
		if c.VisitorID != adapter.VerifiedVisitorID(c.Verified, sharecrm.DefaultFields) {
			t.Fatal("VisitorID is not ShareCRMVisitorID of Verified")
		}
	})
}

func hexToBase64(t testing.TB, h string) string {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}
