package integration_test

import (
	"slices"
	"testing"

	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/platforms"
)

// Every sentence of a protection has its code, and every code is one the
// console's catalogue words (codes, codes.json).
func TestProtectionCodesMatchTexts(t *testing.T) {
	seen := map[string]bool{}
	codes := integration.ProtectionCodes(platforms.Default())
	for _, kind := range platforms.Default().Kinds() {
		for _, key := range []string{"", "k"} {
			for _, token := range []string{"", "t"} {
				for _, enc := range []bool{false, true} {
					for _, known := range []bool{false, true} {
						for _, actions := range []string{"", integration.AgentActionsRead} {
							for _, origins := range [][]string{nil, {"https://example.com"}} {
								in := model.Integration{Kind: kind, Key: key, APIToken: token}
								o := integration.Options{EncryptedSystemParams: enc, RequireKnownAgent: known, AgentActions: actions}
								if token != "" {
									o.ChatwootURL = "https://app.chatwoot.com"
								}
								p := integration.ProtectionOf(opened(t, in, o), origins)
								if len(p.ExposedCodes) != len(p.Exposed) || len(p.AdviceCodes) != len(p.Advice) || len(p.SummaryCodes) == 0 {
									t.Fatalf("%s: codes do not follow texts: %+v", kind, p)
								}
								for _, list := range [][]integration.Coded{p.SummaryCodes, p.ExposedCodes, p.AdviceCodes} {
									for _, c := range list {
										seen[c.Code] = true
										for k, v := range c.Params {
											if len(k) > 4 && k[len(k)-4:] == "Code" {
												seen[v] = true
											}
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
	for c := range seen {
		if !slices.Contains(codes, c) {
			t.Errorf("code %q is emitted but not in ProtectionCodes", c)
		}
	}
	for _, c := range codes {
		if !seen[c] {
			t.Errorf("code %q is in ProtectionCodes but never emitted", c)
		}
	}
}
