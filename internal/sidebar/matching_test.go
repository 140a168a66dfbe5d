package sidebar_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/paramcrypt"
	"github.com/crmlens/crmlens/internal/sidebar"
)

// crmExport is contacts as CRM exports write them (docs/import.md's own
// formats among them), imported the way crmlens imports them.
const crmExport = `external_id,name,phone,email
P1,Plus Dashed,+86 139-0013-9000,
P2,National Spaced,139 0013 9001,
P3,National Bare,13900139002,
P4,E164,+8613900139003,
P5,Zero Zero,008613900139004,
L1,Landline,(0755) 8888-1234,
U1,Short,12345,
U2,Unparseable,+999 12345,
E1,Mixed Case,,Wang@Example.com
W1,王五,13700000000,
W2,赵六,137-0000-0000,
`

// TestMatchingAfterNormalization: a visitor's verified phone or e-mail, as
// Chatwoot (E.164) or a ShareCRM page (as typed) sends it, finds the contact
// however the CRM wrote it; a rule links only when exactly one contact has
// the normalized value, so two contacts that are one number are offered as
// candidates and never linked, by any adapter.
func TestMatchingAfterNormalization(t *testing.T) {
	tests := []struct {
		name  string
		phone string
		email string
		want  string   // the contact linked, by external id; "" for none
		cands []string // the candidates offered when none is linked
	}{
		{name: "E.164 to +86 spaced and dashed", phone: "+8613900139000", want: "P1"},
		{name: "national to national spaced", phone: "13900139001", want: "P2"},
		{name: "spaced to bare", phone: "+86 139 0013 9002", want: "P3"},
		{name: "0086 to E.164", phone: "0086 139 0013 9003", want: "P4"},
		{name: "E.164 to 0086", phone: "+8613900139004", want: "P5"},
		{name: "landline", phone: "+86 755 8888 1234", want: "L1"},
		{name: "a short number", phone: "12345", want: "U1"},
		{name: "a short number equals nothing longer", phone: "123456"},
		{name: "unparseable equals itself", phone: "+999-12345", want: "U2"},
		{name: "unparseable equals nothing else", phone: "+999 123456"},
		{name: "e-mail in another case", email: " wang@EXAMPLE.com", want: "E1"},
		{name: "one number written two ways is two contacts", phone: "+8613700000000", cands: []string{"W1", "W2"}},
		{name: "the same, written like one of them", phone: "137-0000-0000", cands: []string{"W1", "W2"}},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		f := newFixture(t, db)
		norm := matchkey.Must("CN")
		if _, err := importer.New(db).WithNormalizer(norm).Import(ctx, "contacts", strings.NewReader(crmExport), importer.CSV); err != nil {
			t.Fatal(err)
		}
		byID := map[int64]string{}
		var all []model.Contact
		if err := db.Find(&all).Error; err != nil {
			t.Fatal(err)
		}
		for _, c := range all {
			byID[c.ID] = c.ExternalID
		}
		if _, _, err := f.integrations.Create(ctx, integration.Input{Slug: "cw-1", Kind: "chatwoot"}, nil); err != nil {
			t.Fatal(err)
		}
		svc := sidebar.New(sidebar.Deps{DB: db, Tokens: f.tokens, Integrations: f.integrations, Normalizer: norm})
		for i, tt := range tests {
			params := map[string]string{"contact_id": strconv.Itoa(100 + i), "conversation_id": strconv.Itoa(i + 1)}
			if tt.phone != "" {
				params["contact_phone"] = tt.phone
			}
			if tt.email != "" {
				params["contact_email"] = tt.email
			}
			s, err := svc.CreateSession(ctx, "cw-1", adapter.ParamsOf(params))
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			checkMatch(t, tt.name, s, byID, tt.want, tt.cands)
		}

		// The wrong-person case of issue 14 through ShareCRM's identity
		// verification: 钱七 with 王五's and 赵六's one number.
		key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
		if _, _, err := f.integrations.Create(ctx, integration.Input{Slug: "web", Kind: "sharecrm", Key: key}, nil); err != nil {
			t.Fatal(err)
		}
		aes, err := paramcrypt.NewAES(key)
		if err != nil {
			t.Fatal(err)
		}
		for _, phone := range []string{"13700000000", "137 0000 0000", "+86 137-0000-0000"} {
			s, err := svc.CreateSession(ctx, "web", adapter.ParamsOf(map[string]string{"customParams": aes.Encrypt(`{"full_name":"钱七","phone":"` + phone + `"}`)}))
			if err != nil {
				t.Fatal(err)
			}
			checkMatch(t, "钱七 "+phone, s, byID, "", []string{"W1", "W2"})
		}
		// The name singles one out: the stricter rule (full_name+phone) links.
		s, err := svc.CreateSession(ctx, "web", adapter.ParamsOf(map[string]string{"customParams": aes.Encrypt(`{"full_name":"赵六","phone":"+8613700000000"}`)}))
		if err != nil {
			t.Fatal(err)
		}
		checkMatch(t, "赵六 by name and phone", s, byID, "W2", nil)
	})
}

func checkMatch(t *testing.T, name string, s sidebar.Session, byID map[int64]string, want string, cands []string) {
	t.Helper()
	if want != "" {
		if !s.Match.Linked || s.Contact == nil {
			t.Errorf("%s: not linked (%s), want linked to %s", name, s.Match.Reason, want)
			return
		}
		if id := s.Contact.ID; byID[id] != want {
			t.Errorf("%s: linked to %s, want %s", name, byID[id], want)
		}
		return
	}
	if s.Match.Linked {
		t.Errorf("%s: linked to contact %d (%s); want no link", name, s.Contact.ID, s.Match.Reason)
		return
	}
	var got []string
	for _, c := range s.Match.Candidates {
		got = append(got, byID[c.ID])
	}
	slices.Sort(got)
	if !slices.Equal(got, cands) {
		t.Errorf("%s: candidates %v, want %v", name, got, cands)
	}
}
