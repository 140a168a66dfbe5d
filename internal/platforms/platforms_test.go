package platforms_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/adapter/easemob"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/platforms"
)

// codesFile is the console's list of every code the server may emit.
const codesFile = "../../frontend/src/admin/codes.json"

func consoleCodes(t *testing.T) (protection, simulator []string) {
	t.Helper()
	b, err := os.ReadFile(codesFile)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Protection []string `json:"protection"`
		Simulator  []string `json:"simulator"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	return list.Protection, list.Simulator
}

// withRequired is o with each of names set to a placeholder, through the
// options' JSON (every required option is a string).
func withRequired(t *testing.T, o adapter.Options, names []string) adapter.Options {
	t.Helper()
	m := map[string]any{}
	b, _ := json.Marshal(o)
	_ = json.Unmarshal(b, &m)
	for _, n := range names {
		m[n] = "required-value"
	}
	b, _ = json.Marshal(m)
	var out adapter.Options
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("required option %v: %v", names, err)
	}
	return out
}

// Every kind crmlens stores has one platform, and model's constants are
// the platforms' kinds.
func TestDefaultRegistersEveryKind(t *testing.T) {
	reg := platforms.Default()
	want := []string{model.KindEasemob, model.KindShareCRM, model.KindChatwoot, model.KindSigned, model.KindUdesk, model.KindSobot}
	if got := reg.Kinds(); !slices.Equal(got, want) {
		t.Fatalf("kinds = %v, want %v", got, want)
	}
	for _, k := range want {
		p, ok := reg.Get(k)
		if !ok || p.Spec().Kind != k {
			t.Errorf("Get(%s) = %v, %v", k, p, ok)
		}
	}
	if _, ok := reg.Get("zendesk"); ok {
		t.Error("Get of an unknown kind found a platform")
	}
}

func TestNewRefusesDuplicatesAndNoKind(t *testing.T) {
	if _, err := platforms.New(easemob.Platform{}, easemob.Platform{}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate kind: %v", err)
	}
	if _, err := platforms.New(noKind{}); err == nil || !strings.Contains(err.Error(), "no kind") {
		t.Errorf("no kind: %v", err)
	}
}

type noKind struct{ easemob.Platform }

func (noKind) Spec() adapter.Spec { return adapter.Spec{} }

// Each platform's defaults validate (once its required options are given),
// its required options are refused when missing, and it refuses options
// of other platforms only through integration (Validate sees its own).
func TestDefaultsValidate(t *testing.T) {
	for _, p := range platforms.Default().All() {
		sp := p.Spec()
		t.Run(sp.Kind, func(t *testing.T) {
			for _, r := range sp.Required {
				if !slices.Contains(sp.Options, r) {
					t.Errorf("required option %s is not among the platform's options %v", r, sp.Options)
				}
			}
			o := withRequired(t, p.Defaults(adapter.Options{}), sp.Required)
			if err := p.Validate(o, true); err != nil {
				t.Fatalf("defaults %+v do not validate: %v", o, err)
			}
			if len(sp.Required) > 0 {
				err := p.Validate(p.Defaults(adapter.Options{}), true)
				if e := apperr.As(err); e == nil || e.Code != adapter.CodeInvalidOption {
					t.Errorf("missing required options %v: %v", sp.Required, err)
				}
			}
			if !slices.EqualFunc(p.Defaults(o).MatchingFields, o.MatchingFields, slices.Equal[[]string]) {
				t.Errorf("Defaults is not idempotent: %v then %v", o.MatchingFields, p.Defaults(o).MatchingFields)
			}
			for _, rule := range o.MatchingFields {
				for _, f := range rule {
					if _, ok := integration.MatchableFields[f]; !ok {
						t.Errorf("default matching field %q is not matchable", f)
					}
				}
			}
		})
	}
}

// Keys: a platform that needs one refuses none; a key crmlens generates
// is one the platform accepts; a platform that makes its own key is never
// given a generated one.
func TestKeys(t *testing.T) {
	for _, p := range platforms.Default().All() {
		sp := p.Spec()
		t.Run(sp.Kind, func(t *testing.T) {
			err := p.ValidateKey("")
			if sp.Key == adapter.KeyRequired && err == nil {
				t.Error("a required key may be empty")
			}
			if sp.Key == adapter.KeyOptional && err != nil {
				t.Errorf("an optional key may not be empty: %v", err)
			}
			if sp.Key != adapter.KeyNone && sp.KeyHelp == "" {
				t.Error("no KeyHelp for the CLI")
			}
			if sp.Key != adapter.KeyNone && !sp.KeyFromPlatform {
				if err := p.ValidateKey(integration.GenerateKey(p)); err != nil {
					t.Errorf("a generated key is refused: %v", err)
				}
			}
		})
	}
}

// Every code a platform's protection may emit is one the console words,
// and each setup's words come with their codes one for one.
func TestProtectionCodesAreTheConsoles(t *testing.T) {
	protection, simulator := consoleCodes(t)
	reg := platforms.Default()
	for _, c := range integration.ProtectionCodes(reg) {
		if !slices.Contains(protection, c) {
			t.Errorf("protection code %s is not in %s", c, codesFile)
		}
	}
	for _, c := range reg.DecryptAdviceCodes() {
		if !slices.Contains(simulator, c) {
			t.Errorf("simulator code %s is not in %s", c, codesFile)
		}
	}
	for _, p := range reg.All() {
		sp := p.Spec()
		for _, key := range []bool{false, true} {
			for _, token := range []bool{false, true} {
				pr := adapter.NewProtection()
				o := withRequired(t, p.Defaults(adapter.Options{ChatwootURL: "https://app.chatwoot.com"}), sp.Required)
				p.Protect(&pr, adapter.Setup{HasKey: key, HasAPIToken: token, Options: o})
				if pr.Level == "" || pr.Summary == "" || len(pr.SummaryCodes) == 0 ||
					len(pr.Exposed) != len(pr.ExposedCodes) || len(pr.Advice) != len(pr.AdviceCodes) {
					t.Errorf("%s key=%v token=%v: words and codes do not follow: %+v", sp.Kind, key, token, pr)
				}
				for _, l := range [][]adapter.Coded{pr.SummaryCodes, pr.ExposedCodes, pr.AdviceCodes} {
					for _, c := range l {
						if !slices.Contains(sp.ProtectionCodes, c.Code) {
							t.Errorf("%s emits %s, not in its Spec.ProtectionCodes", sp.Kind, c.Code)
						}
					}
				}
			}
		}
	}
}

// The simulator's view shows every param once; a param sealed as a whole
// is shown without its value.
func TestViews(t *testing.T) {
	params := adapter.Params{Values: map[string]string{"zeta": "1", "customParams": "AB", "token": "x.y.z", "alpha": "2"},
		Order: []string{"zeta", "customParams", "token", "alpha"}}
	sealed := map[string][]string{model.KindShareCRM: {"customParams"}, model.KindSigned: {"token"}}
	for _, p := range platforms.Default().All() {
		sp := p.Spec()
		t.Run(sp.Kind, func(t *testing.T) {
			views := p.Views(nil, p.Defaults(adapter.Options{}), params)
			var names []string
			for _, v := range views {
				names = append(names, v.Name)
				if v.Received != params.Values[v.Name] {
					t.Errorf("%s received %q, want %q", v.Name, v.Received, params.Values[v.Name])
				}
				if isSealed := slices.Contains(sealed[sp.Kind], v.Name); isSealed != (v.How == adapter.ViewSealed) || isSealed && v.Value != "" {
					t.Errorf("%s shown as %s %q", v.Name, v.How, v.Value)
				}
			}
			slices.Sort(names)
			if want := []string{"alpha", "customParams", "token", "zeta"}; !slices.Equal(names, want) {
				t.Errorf("views of %v", names)
			}
		})
	}
}

func TestParamsNames(t *testing.T) {
	v := map[string]string{"b": "1", "a": "2", "c": "3"}
	for _, tt := range []struct {
		name  string
		order []string
		want  []string
	}{
		{"URL order", []string{"c", "a", "b"}, []string{"c", "a", "b"}},
		{"no order: sorted", nil, []string{"a", "b", "c"}},
		{"order missing one: sorted", []string{"c", "a"}, []string{"a", "b", "c"}},
		{"order naming one twice: sorted", []string{"c", "a", "a"}, []string{"a", "b", "c"}},
		{"order naming an absent one: sorted", []string{"c", "a", "x"}, []string{"a", "b", "c"}},
	} {
		if got := (adapter.Params{Values: v, Order: tt.order}).Names(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Names = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// Each platform states its replay rule: single use needs a bounded window
// (the used ids are kept until their expiry), and no window is longer than
// an hour.
func TestReplayRules(t *testing.T) {
	want := map[string]adapter.Replay{
		model.KindEasemob: {}, model.KindShareCRM: {}, model.KindChatwoot: {},
		model.KindSigned: {SingleUse: true, Window: 5 * time.Minute},
		model.KindUdesk:  {Window: 5 * time.Minute}, model.KindSobot: {Window: 5 * time.Minute},
	}
	for _, p := range platforms.Default().All() {
		r := p.Spec().Replay
		if r != want[p.Spec().Kind] {
			t.Errorf("%s: replay %+v, want %+v", p.Spec().Kind, r, want[p.Spec().Kind])
		}
		if r.SingleUse && r.Window == 0 || r.Window > time.Hour {
			t.Errorf("%s: replay %+v is unbounded", p.Spec().Kind, r)
		}
	}
}
