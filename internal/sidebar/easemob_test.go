package sidebar_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/paramcrypt"
	"github.com/crmlens/crmlens/internal/sidebar"
)

const kefuKey = "kefu2024secret"

// kefu is an Easemob integration with a known key, on top of the fixture.
type kefu struct {
	fixture
	svc    *sidebar.Service
	id     int64
	cipher *paramcrypt.Cipher
}

func newKefu(t *testing.T, db *gorm.DB, opts integration.Options) kefu {
	t.Helper()
	f := newFixture(t, db)
	in, _, err := f.integrations.Create(context.Background(), integration.Input{Slug: "kefu", Kind: "easemob", Key: kefuKey, Options: opts}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := paramcrypt.NewDES(kefuKey)
	if err != nil {
		t.Fatal(err)
	}
	return kefu{fixture: f, svc: sidebar.New(sidebar.Deps{DB: db, Tokens: f.tokens, Integrations: f.integrations}), id: in.ID, cipher: c}
}

// contact creates a contact with one channel identity.
func contact(t *testing.T, db *gorm.DB, name, channel, externalID string) model.Contact {
	t.Helper()
	now := time.Now().UTC()
	c := model.Contact{ExternalID: "C-" + name, Name: name, CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&model.ContactIdentity{ContactID: c.ID, Channel: channel, ExternalID: externalID, CreatedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	return c
}

func visitors(t *testing.T, db *gorm.DB, integrationID int64) []model.Visitor {
	t.Helper()
	var out []model.Visitor
	if err := db.Where("integration_id = ?", integrationID).Order("id").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEasemobAppVisitorWithTo: Easemob sends `to` (the IM service number)
// for App and web visitors too; such a visitor is linked by its easemob
// identity and no wechat visitor is recorded, whether `to` arrives
// encrypted or in clear, with the params the real workbench adds (empty
// desc, ssid, originType, lang=EN...).
func TestEasemobAppVisitorWithTo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		k := newKefu(t, db, integration.Options{})
		ann := contact(t, db, "Ann", "easemob", "im-ann")
		contact(t, db, "Bob", "wechat", "oBob123")
		e := k.cipher.Encrypt
		for name, params := range map[string]map[string]string{
			"encrypted to": {"easemobId": "kefuchannelimid_248171", "visitorImId": "im-ann", "to": e("kefuchannelimid_248171"),
				"serviceNumber": e("kefuchannelimid_248171"), "originType": e("app"), "ssid": e("07938730-2b4b-4f0d-b4ac-45077425898b"),
				"desc": e(""), "agentName": e("Admin"), "trueName": e("admin"), "lang": "EN"},
			"to in clear": {"easemobId": "kefuchannelimid_248171", "visitorImId": "im-ann", "to": "kefuchannelimid_248171", "desc": "", "lang": "ja"},
		} {
			s, err := k.svc.CreateSession(ctx, "kefu", adapter.ParamsOf(params))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if s.Visitor.Channel != "easemob" || s.Visitor.ExternalID != "im-ann" || !s.Match.Linked || s.Contact == nil || s.Contact.Name != ann.Name {
				t.Errorf("%s: session = %+v, want im-ann on easemob linked to Ann", name, s)
			}
		}
		// A WeChat visitor (to = an official account's original id).
		s, err := k.svc.CreateSession(ctx, "kefu", adapter.ParamsOf(map[string]string{"visitorImId": "oBob123", "to": e("gh_4f2a9c1e7b3d")}))
		if err != nil {
			t.Fatal(err)
		}
		if s.Visitor.Channel != "wechat" || !s.Match.Linked {
			t.Errorf("WeChat visitor: %+v", s)
		}
		got := visitors(t, db, k.id)
		if len(got) != 2 || got[0].Channel != "easemob" || got[0].ExternalID != "im-ann" || got[1].Channel != "wechat" || got[1].ExternalID != "oBob123" {
			t.Errorf("visitors = %+v, want im-ann on easemob and oBob123 on wechat only", got)
		}
	})
}

// TestEasemobBothReadings: with Easemob's option that encrypts easemobId
// and visitorImId on but not required here, the visitorImId reads two ways
// (the ciphertext as sent, and its decryption). The reading a contact's
// identity has wins, then the one a visitor already has, else the decrypted
// one; the simulator says which and why.
func TestEasemobBothReadings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		k := newKefu(t, db, integration.Options{})
		now := time.Now().UTC()
		e := k.cipher.Encrypt
		type want struct{ external, why string }
		cases := []struct {
			name  string
			setup func(sealed string)
			plain string
			want  want
		}{
			{name: "identity on the decrypted reading", plain: "im-carol", want: want{"im-carol", "known_identity"},
				setup: func(string) { contact(t, db, "Carol", "easemob", "im-carol") }},
			{name: "identity on the reading as sent", plain: "im-dan", want: want{"", "known_identity"},
				setup: func(sealed string) { contact(t, db, "Dan", "easemob", sealed) }},
			{name: "a visitor recorded with the ciphertext before", plain: "im-eve", want: want{"", "known_visitor"},
				setup: func(sealed string) {
					if err := db.Create(&model.Visitor{IntegrationID: k.id, Channel: "easemob", ExternalID: sealed, CreatedAt: now, LastSeenAt: now}).Error; err != nil {
						t.Fatal(err)
					}
				}},
			{name: "neither known: the decrypted reading", plain: "im-fay", want: want{"im-fay", "preferred_decrypted"}, setup: func(string) {}},
		}
		for _, tc := range cases {
			sealed := e(tc.plain)
			if tc.want.external == "" {
				tc.want.external = sealed
			}
			tc.setup(sealed)
			params := map[string]string{"easemobId": e("107937"), "visitorImId": sealed, "agentName": e("Admin")}

			// The simulator writes nothing and says which reading won.
			in, err := sidebar.ParseSimulationInput("easemobId=" + params["easemobId"] + "&visitorImId=" + sealed + "&agentName=" + params["agentName"])
			if err != nil {
				t.Fatal(err)
			}
			sim, err := k.svc.Simulate(ctx, "kefu", in, "admin:test", "req-1")
			if err != nil {
				t.Fatalf("%s: simulate: %v", tc.name, err)
			}
			var seen bool
			for _, p := range sim.Params {
				if p.Name != "visitorImId" {
					continue
				}
				seen = true
				if p.Reading == nil || string(p.Reading.Why) != tc.want.why || p.Value != tc.want.external {
					t.Errorf("%s: simulated visitorImId = %+v (reading %+v), want %s because %s", tc.name, p, p.Reading, tc.want.external, tc.want.why)
				}
				if wantChosen := map[bool]string{true: sidebar.ChosenDecrypted, false: sidebar.ChosenPlain}[tc.want.external == tc.plain]; p.Reading != nil && p.Reading.Chosen != wantChosen {
					t.Errorf("%s: chosen %s, want %s", tc.name, p.Reading.Chosen, wantChosen)
				}
			}
			if !seen || sim.Visitor != nil && sim.Visitor.ExternalID != tc.want.external {
				t.Errorf("%s: simulation %+v", tc.name, sim)
			}

			s, err := k.svc.CreateSession(ctx, "kefu", adapter.ParamsOf(params))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if s.Visitor.ExternalID != tc.want.external || s.Visitor.Channel != "easemob" {
				t.Errorf("%s: visitor %s, want %s", tc.name, s.Visitor.ExternalID, tc.want.external)
			}
			if tc.want.why == "known_identity" && !s.Match.Linked {
				t.Errorf("%s: not linked: %+v", tc.name, s.Match)
			}
		}
		// Required encrypted: a plain visitorImId is still refused.
		strict := newKefuSlug(t, db, k, "kefu-strict", kefuKey, integration.Options{EncryptedSystemParams: true})
		_, err := k.svc.CreateSession(ctx, strict, adapter.ParamsOf(map[string]string{"visitorImId": "webim-visitor-8K2FTG9QTYWRT8EYVJ7F"}))
		if e := apperr.As(err); e == nil || e.Code != "plain_system_param" {
			t.Errorf("plain visitorImId with the option required: %v", err)
		}
	})
}

func newKefuSlug(t *testing.T, db *gorm.DB, k kefu, slug, key string, opts integration.Options) string {
	t.Helper()
	if _, _, err := k.integrations.Create(context.Background(), integration.Input{Slug: slug, Kind: "easemob", Key: key, Options: opts}, nil); err != nil {
		t.Fatal(err)
	}
	return slug
}

// TestSimulateDroppedParams: the simulator shows each param a session
// ignores and why, and never fails on them.
func TestSimulateDroppedParams(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		k := newKefu(t, db, integration.Options{})
		other, _ := paramcrypt.NewDES("环信密钥abcdefgh")
		q := url.Values{}
		q.Set("easemobId", "107937")
		q.Set("visitorImId", "webim-visitor-8K2FTG9QTYWRT8EYVJ7F")
		q.Set("to", "webim-visitor-8K2FTG9QTYWRT8EYVJ7F")
		q.Set("desc", "")
		q.Set("agentId", "12")
		q.Set("nickname", other.Encrypt("Bob"))
		q.Set("lang", "ja")
		q.Set("ssid", k.cipher.Encrypt("s-1"))
		in, err := sidebar.ParseSimulationInput("https://crm.example.com/sidebar/kefu?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		sim, err := k.svc.Simulate(ctx, "kefu", in, "admin:test", "req-2")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"desc": adapter.DropEmpty, "agentId": adapter.DropNotEncrypted, "nickname": adapter.DropNotDecryptable, "lang": adapter.DropUnknown}
		for _, p := range sim.Params {
			w, drop := want[p.Name]
			switch {
			case drop && (p.How != sidebar.HowDropped || p.Dropped != w || p.Value != ""):
				t.Errorf("param %s = %+v, want dropped %s", p.Name, p, w)
			case !drop && p.How == sidebar.HowDropped:
				t.Errorf("param %s dropped: %+v", p.Name, p)
			case p.Name == "ssid" && (p.How != sidebar.HowDecrypted || p.Value != "s-1"):
				t.Errorf("ssid = %+v", p)
			}
		}
		last := sim.Steps[len(sim.Steps)-1]
		if last.Step != sidebar.StepLayout || last.Status != sidebar.StatusOK {
			t.Errorf("last step = %+v, want the layout", last)
		}
		if sim.Visitor != nil || sim.Match == nil {
			t.Errorf("simulation %+v", sim)
		}
		if n := len(visitors(t, db, k.id)); n != 0 {
			t.Errorf("the simulator wrote %d visitors", n)
		}
	})
}

// The seed document's message snippets, verbatim (../shared/seeds/
// 000_6eab34a2e26d2793.txt, 消息格式示例): "ext": {...} without outer
// braces. The encrypted one is under a key whose first 8 bytes are
// "12345678".
const (
	seedPlain = `"ext": {
        "weichat": {
            "ctrlType": "inviteEnquiry"
        },
        "cmd": {
            "updateVisitorInfoSrc": {
                "params": {
                    "name": "Jack",
                    "age": "40",
                    "sex": "man"
                }
            }
        }
}`
	seedSealed = `"ext": {
    "weichat": {
        "ctrlType": "inviteEnquiry"
    },
    "cmd": {
        "updateVisitorInfoSrc": {
            "params": {
                "name": "877523f86f18f55e",
                "age": "e86b4e789891107c",
                "sex": "d221cba8e6efd0ad"
            }
        }
    }
}`
)

// TestParseUpdateVisitorInfoSrc: the simulator takes the command message in
// every form Easemob's docs and SDKs show it.
func TestParseUpdateVisitorInfoSrc(t *testing.T) {
	jack := map[string]string{"name": "Jack", "age": "40", "sex": "man"}
	sdk := map[string]string{"customUserId": "6666", "name": "李继鹏", "sex": "女"}
	for _, tc := range []struct {
		name, input string
		want        map[string]string
	}{
		{"seed snippet, plain", seedPlain, jack},
		{"seed snippet, encrypted", seedSealed, map[string]string{"name": "877523f86f18f55e", "age": "e86b4e789891107c", "sex": "d221cba8e6efd0ad"}},
		{"seed snippet with a trailing comma", seedPlain + ",\n", jack},
		{"whole web message", `{"type":"txt","msg":"","ext":{"cmd":{"updateVisitorInfoSrc":{"params":{"name":"Jack","age":"40","sex":"man"}}}}}`, jack},
		{"mobile SDK message", `{"from":"visitor1","to":"kefuchannelimid_248171","bodies":[{"type":"txt","msg":"hi"}],"ext":{"weichat":{"visitor":{"trueName":"x"}},"cmd":{"updateVisitorInfoSrc":{"params":{"name":"Jack","age":40,"sex":"man"}}}}}`, jack},
		{"mobile SDK message, ext as a string", `{"bodies":[{"type":"txt","msg":"hi"}],"ext":"{\"cmd\":{\"updateVisitorInfoSrc\":{\"params\":{\"name\":\"Jack\",\"age\":\"40\",\"sex\":\"man\"}}}}"}`, jack},
		{"sendExt call", `easemobim.sendExt({ext:{cmd:{updateVisitorInfoSrc:{params:{customUserId:"6666",name:"李继鹏",sex:"女"}}}}});`, sdk},
		{"sendExt argument", `{ext:{cmd:{updateVisitorInfoSrc:{params:{customUserId:"6666",name:"李继鹏",sex:"女"}}}}}`, sdk},
		{"sendExt argument, single quotes", `{ext: {cmd: {updateVisitorInfoSrc: {params: {customUserId: '6666', name: '李继鹏', sex: '女',}}}}}`, sdk},
	} {
		in, err := sidebar.ParseSimulationInput(tc.input)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if in.Kind != sidebar.InputUpdateVisitorInfoSrc || len(in.Params) != len(tc.want) {
			t.Errorf("%s: %+v, want %v", tc.name, in, tc.want)
			continue
		}
		for k, v := range tc.want {
			if in.Params[k] != v {
				t.Errorf("%s: %s = %q, want %q", tc.name, k, in.Params[k], v)
			}
		}
	}
	for _, bad := range []string{`"ext": {"cmd": {}}`, `easemobim.sendExt({ext:{cmd:{updateVisitorInfoSrc:{params:`, `{"ext": }`} {
		if _, err := sidebar.ParseSimulationInput(bad); apperr.As(err) == nil || apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%q: err = %v, want an invalid input", bad, err)
		}
	}
}

// TestSimulateSeedMessage: the seed's encrypted snippet, pasted verbatim,
// opens under its key; under another key its params are shown dropped.
func TestSimulateSeedMessage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		k := newKefu(t, db, integration.Options{})
		seedSlug := newKefuSlug(t, db, k, "seed", "12345678abc", integration.Options{})
		in, err := sidebar.ParseSimulationInput(seedSealed)
		if err != nil {
			t.Fatal(err)
		}
		sim, err := k.svc.Simulate(ctx, seedSlug, in, "admin:test", "r")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range sim.Params {
			got[p.Name] = p.Value
		}
		if got["name"] != "Jack" || got["age"] != "40" || got["sex"] != "man" || sim.Steps[len(sim.Steps)-1].Status != sidebar.StatusOK {
			t.Errorf("seed message under its key: %+v", sim)
		}
		sim, err = k.svc.Simulate(ctx, "kefu", in, "admin:test", "r")
		if err != nil {
			t.Fatal(err)
		}
		last := sim.Steps[len(sim.Steps)-1]
		if last.Status != sidebar.StatusWarning || !strings.Contains(last.Detail, "dropped") {
			t.Errorf("seed message under another key: last step %+v", last)
		}
		for _, p := range sim.Params {
			if p.How != sidebar.HowDropped || p.Dropped != adapter.DropNotDecryptable {
				t.Errorf("param %+v, want dropped not_decryptable", p)
			}
		}
	})
}

// FuzzParseSimulationInput: whatever is pasted, the simulator's reader
// answers the input or a client error, never a panic.
func FuzzParseSimulationInput(f *testing.F) {
	for _, s := range []string{seedPlain, seedSealed, `easemobim.sendExt({ext:{cmd:{updateVisitorInfoSrc:{params:{a:'1\'',}}}}})`, `{"ext":"{\"cmd\":1}"}`, `'ext': {`, "visitorImId=v&to=gh_1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := sidebar.ParseSimulationInput(s); err != nil && apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("%q: %v", s, err)
		}
	})
}
