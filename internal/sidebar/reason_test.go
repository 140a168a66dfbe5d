package sidebar

import (
	"testing"

	"github.com/crmlens/crmlens/internal/model"
)

// TestReasonCodes: every explanation carries the code the front end words
// in the agent's language, and the English words.
func TestReasonCodes(t *testing.T) {
	easemob := model.Visitor{Channel: "easemob", ExternalID: "v-1", Claims: "{}"}
	tests := []struct {
		name   string
		match  Match
		code   string
		linked bool
	}{
		{"identity", linkedMatch(model.Visitor{Channel: "easemob", ExternalID: "v-1", LinkMethod: LinkIdentity}), ReasonIdentity, true},
		{"manual", linkedMatch(model.Visitor{LinkMethod: LinkManual}), ReasonManual, true},
		{"identifier", linkedMatch(model.Visitor{LinkMethod: LinkIdentifier}), ReasonIdentifier, true},
		{"fields", linkedMatch(model.Visitor{LinkMethod: linkFields + "phone+name"}), ReasonFields, true},
		{"earlier", linkedMatch(model.Visitor{LinkMethod: "something older"}), ReasonExistingLink, true},
		{"candidates", notLinkedMatch(easemob, []Candidate{{ID: 1}, {ID: 2}}), ReasonCandidates, false},
		{"verified details", notLinkedMatch(model.Visitor{Channel: "sharecrm", Claims: `{"phone":"x"}`}, nil), ReasonNoMatchVerified, false},
		{"no identity", notLinkedMatch(easemob, nil), ReasonNoIdentity, false},
		{"unlinked", unlinkedMatch(false), ReasonUnlinked, false},
		{"not this person", unlinkedMatch(true), ReasonNotThisPerson, false},
	}
	for _, tt := range tests {
		if tt.match.ReasonCode != tt.code || tt.match.Linked != tt.linked || tt.match.Reason == "" {
			t.Errorf("%s: %+v, want code %q, linked %v and words", tt.name, tt.match, tt.code, tt.linked)
		}
	}
	if m := notLinkedMatch(easemob, []Candidate{{ID: 1}, {ID: 2}}); len(m.Candidates) != 2 {
		t.Errorf("candidates not offered: %+v", m)
	}
}
