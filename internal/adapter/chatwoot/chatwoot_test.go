package chatwoot_test

import (
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/adapter/chatwoot"
)

func TestChatwootDecode(t *testing.T) {
	full := map[string]string{
		"conversation_id": "42", "account_id": "1", "contact_id": "1007",
		"contact_identifier": "cust-88", "contact_email": " Li.Si@Example.CN ", "contact_phone": "+86 138-0013-8000",
		"contact_name": " Li  Si ", "agent_id": "3", "agent_email": "amy@example.com", "agent_name": "Amy",
		"lang": "zh_CN", "inbox": "web",
	}
	tests := []struct {
		name     string
		params   map[string]string
		want     adapter.Claims
		wantCode string
	}{
		{
			name:   "full context",
			params: full,
			want: adapter.Claims{
				Channel: "chatwoot", VisitorID: "1007", DisplayName: "Li Si", Lang: "zh",
				Agent:    adapter.Agent{ID: "3", Email: "amy@example.com", Name: "Amy"},
				Verified: map[string]string{"identifier": "cust-88", "email": "li.si@example.cn", "phone": "+8613800138000", "name": "Li Si"},
				Extra:    map[string]string{"inbox": "web"},
				Chatwoot: &adapter.ChatwootRef{AccountID: "1", ConversationID: "42", ContactID: "1007"},
			},
		},
		{
			name:   "contact only",
			params: map[string]string{"contact_id": " 5 ", "conversation_id": "", "contact_phone": "n/a"},
			want: adapter.Claims{
				Channel: "chatwoot", VisitorID: "5", Verified: map[string]string{}, Extra: map[string]string{},
				Chatwoot: &adapter.ChatwootRef{ContactID: "5"},
			},
		},
		{
			name:   "20-digit id",
			params: map[string]string{"contact_id": "12345678901234567890"},
			want: adapter.Claims{
				Channel: "chatwoot", VisitorID: "12345678901234567890", Verified: map[string]string{}, Extra: map[string]string{},
				Chatwoot: &adapter.ChatwootRef{ContactID: "12345678901234567890"},
			},
		},
		{
			// Chatwoot before Dec 2022 sends no currentAgent: the page posts no agent_* params.
			name:   "no agent",
			params: map[string]string{"conversation_id": "42", "account_id": "1", "contact_id": "1007", "contact_identifier": "cust-88"},
			want: adapter.Claims{
				Channel: "chatwoot", VisitorID: "1007",
				Verified: map[string]string{"identifier": "cust-88"}, Extra: map[string]string{},
				Chatwoot: &adapter.ChatwootRef{AccountID: "1", ConversationID: "42", ContactID: "1007"},
			},
		},
		{
			// contacts.name is nullable: the page leaves a null or empty name out, or may send it empty.
			name:   "empty name and agent fields",
			params: map[string]string{"contact_id": "1007", "contact_name": "", "agent_id": "", "agent_email": " ", "agent_name": ""},
			want: adapter.Claims{
				Channel: "chatwoot", VisitorID: "1007", Verified: map[string]string{}, Extra: map[string]string{},
				Chatwoot: &adapter.ChatwootRef{ContactID: "1007"},
			},
		},
		{
			// The store had not loaded the contact ({}): the page read conversation.meta.sender, same params.
			name: "contact from the conversation's sender, agent without email",
			params: map[string]string{
				"conversation_id": "42", "account_id": "1", "contact_id": "1007", "contact_name": "Li Si",
				"contact_email": "li.si@example.cn", "agent_id": "3", "agent_name": "Amy",
			},
			want: adapter.Claims{
				Channel: "chatwoot", VisitorID: "1007", DisplayName: "Li Si",
				Agent:    adapter.Agent{ID: "3", Name: "Amy"},
				Verified: map[string]string{"email": "li.si@example.cn", "name": "Li Si"}, Extra: map[string]string{},
				Chatwoot: &adapter.ChatwootRef{AccountID: "1", ConversationID: "42", ContactID: "1007"},
			},
		},
		{name: "no contact_id", params: map[string]string{"conversation_id": "42"}, wantCode: adapter.CodeMissingParam},
		{name: "empty contact_id", params: map[string]string{"contact_id": " "}, wantCode: adapter.CodeMissingParam},
		{name: "contact_id not numeric", params: map[string]string{"contact_id": "12a"}, wantCode: adapter.CodeInvalidParam},
		{name: "negative contact_id", params: map[string]string{"contact_id": "-1"}, wantCode: adapter.CodeInvalidParam},
		{name: "contact_id too long", params: map[string]string{"contact_id": strings.Repeat("1", 21)}, wantCode: adapter.CodeInvalidParam},
		{name: "conversation_id not numeric", params: map[string]string{"contact_id": "1", "conversation_id": "x"}, wantCode: adapter.CodeInvalidParam},
		{name: "account_id not numeric", params: map[string]string{"contact_id": "1", "account_id": "1.5"}, wantCode: adapter.CodeInvalidParam},
		{name: "account_id too long", params: map[string]string{"contact_id": "1", "account_id": strings.Repeat("9", 21)}, wantCode: adapter.CodeInvalidParam},
		{name: "contact field too long", params: map[string]string{"contact_id": "1", "contact_name": strings.Repeat("n", adapter.MaxVerifiedValue+1)}, wantCode: adapter.CodeTooLarge},
		{name: "too many params", params: manyParams("contact_id", 70), wantCode: adapter.CodeTooLarge},
		{name: "extra value too long", params: map[string]string{"contact_id": "1", "x": strings.Repeat("v", adapter.MaxParamValue+1)}, wantCode: adapter.CodeTooLarge},
	}
	a := chatwoot.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := a.Decode(tt.params)
			if tt.wantCode != "" {
				wantCode(t, err, tt.wantCode, tt.params["contact_id"], tt.params["account_id"], tt.params["conversation_id"])
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.Channel != tt.want.Channel || got.VisitorID != tt.want.VisitorID || got.DisplayName != tt.want.DisplayName ||
				got.Lang != tt.want.Lang || got.Agent != tt.want.Agent || got.Chatwoot == nil || *got.Chatwoot != *tt.want.Chatwoot {
				t.Errorf("Decode = %+v (Chatwoot %+v)\nwant     %+v (Chatwoot %+v)", got, got.Chatwoot, tt.want, tt.want.Chatwoot)
			}
			sameMap(t, "Verified", got.Verified, tt.want.Verified)
			sameMap(t, "Extra", got.Extra, tt.want.Extra)
		})
	}
}

func FuzzChatwootDecode(f *testing.F) {
	a := chatwoot.New()
	f.Add("1007", "42", "1", "li.si@example.cn", "+86 138", "Li Si", "inbox", "web")
	f.Add("", "", "", "", "", "", "", "")
	f.Add("12a", "x", "-1", "", "", "", "contact_id", "9")
	f.Fuzz(func(t *testing.T, contact, conversation, account, email, phone, name, extraKey, extraValue string) {
		params := map[string]string{
			"contact_id": contact, "conversation_id": conversation, "account_id": account,
			"contact_email": email, "contact_phone": phone, "contact_name": name,
		}
		params[extraKey] = extraValue
		c, err := a.Decode(params)
		checkFuzzResult(t, c, err)
		if err != nil {
			return
		}
		if c.Channel != "chatwoot" || c.Chatwoot == nil || c.Chatwoot.ContactID != c.VisitorID {
			t.Fatalf("Decode = %+v: want channel chatwoot and the contact as visitor", c)
		}
		for _, id := range []string{c.VisitorID, c.Chatwoot.ConversationID, c.Chatwoot.AccountID} {
			if len(id) > 20 || strings.Trim(id, "0123456789") != "" {
				t.Fatalf("Decode accepted a non-numeric id %q", id)
			}
		}
		if p := c.Verified["phone"]; strings.Trim(strings.TrimPrefix(p, "+"), "0123456789") != "" {
			t.Fatalf("phone %q is not normalized", p)
		}
		if e := c.Verified["email"]; e != strings.ToLower(e) {
			t.Fatalf("email %q is not lowercased", e)
		}
	})
}
