package sidebar

import (
	"testing"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/model"
)

// TestReasonCodes: every explanation carries the code the front end words
// in the agent's language, and the English words.
func TestReasonCodes(t *testing.T) {
	easemob := model.Visitor{Channel: "easemob", ExternalID: "v-1", Claims: "{}"}
	tests := []struct {
		name   string
		match  api.Match
		code   string
		status api.MatchStatus
	}{
		{"identity", linkedMatch(model.Visitor{Channel: "easemob", ExternalID: "v-1", LinkMethod: LinkIdentity}), ReasonIdentity, api.Linked},
		{"manual", linkedMatch(model.Visitor{LinkMethod: LinkManual}), ReasonManual, api.Linked},
		{"identifier", linkedMatch(model.Visitor{LinkMethod: LinkIdentifier}), ReasonIdentifier, api.Linked},
		{"fields", linkedMatch(model.Visitor{LinkMethod: linkFields + "phone+name"}), ReasonFields, api.Linked},
		{"earlier", linkedMatch(model.Visitor{LinkMethod: "something older"}), ReasonExistingLink, api.Linked},
		{"candidates", notLinkedMatch(easemob, []api.Candidate{{Id: "1"}, {Id: "2"}}), ReasonCandidates, api.NotLinked},
		{"verified details", notLinkedMatch(model.Visitor{Channel: "sharecrm", Claims: `{"phone":"x"}`}, nil), ReasonNoMatchVerified, api.NotLinked},
		{"no identity", notLinkedMatch(easemob, nil), ReasonNoIdentity, api.NotLinked},
		{"unlinked", unlinkedMatch(false), ReasonUnlinked, api.NotLinked},
		{"not this person", unlinkedMatch(true), ReasonNotThisPerson, api.NotLinked},
	}
	for _, tt := range tests {
		if tt.match.ReasonCode == nil || *tt.match.ReasonCode != tt.code || tt.match.Status != tt.status || tt.match.Reason == "" {
			t.Errorf("%s: %+v, want code %q, status %s and words", tt.name, tt.match, tt.code, tt.status)
		}
	}
	if m := notLinkedMatch(easemob, []api.Candidate{{Id: "1"}, {Id: "2"}}); m.Candidates == nil || len(*m.Candidates) != 2 {
		t.Errorf("candidates not offered: %+v", m)
	}
}
