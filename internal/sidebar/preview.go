package sidebar

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
)

// Error codes of previews.
const CodeContactGone = "contact_not_found"

// ActionPreview is how a layout preview is audited: an admin read a
// contact's data through it.
const ActionPreview = audit.ActionLayoutPreview

var previewHeadSQL = "SELECT " + headColumns(false) + " FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id WHERE c.id = ?"

// Preview builds the context the agent would see for contactID with the
// layout l (a draft, not stored), through the same projection and masking
// as Context. The visitor shown is the contact's most recently seen one, if
// any. The read is audited for actor.
func (s *Service) Preview(ctx context.Context, l layout.Layout, contactID int64, extra map[string]string, actor, requestID string) (ContextView, error) {
	rows, err := scanRows(s.db.WithContext(ctx).Raw(previewHeadSQL, contactID))
	if err != nil {
		return ContextView{}, fmt.Errorf("load contact: %w", err)
	}
	if len(rows) == 0 {
		return ContextView{}, apperr.OnField(apperr.New(apperr.NotFound, CodeContactGone, "no contact has the id %d; pick another", contactID), "contactId")
	}
	r := rows[0]
	h := head{contactID: contactID, contact: prefixed(r, "c_")}
	if r["a_id"] != nil {
		h.account = prefixed(r, "a_")
	}
	var v model.Visitor
	err = s.db.WithContext(ctx).Where("contact_id = ?", contactID).Order("last_seen_at DESC").Order("id DESC").Take(&v).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		v = model.Visitor{Channel: "preview", ExternalID: "—"}
	case err != nil:
		return ContextView{}, fmt.Errorf("load visitor: %w", err)
	}
	out := ContextView{
		Visitor: visitorView(v),
		Contact: &ContactRef{ID: contactID, Name: display(h.contact["name"])},
		Layout:  LayoutRef{Name: l.Name, Reason: layout.PreviewReason()},
	}
	if v.ID != 0 && v.ContactID != nil && *v.ContactID == contactID {
		out.Match = linkedMatch(v)
	} else {
		out.Match = Match{Linked: true, Method: MethodManual, Reason: "preview: the contact chosen in the admin console"}
	}
	if out.Panels, err = s.panels(ctx, l, h, extra); err != nil {
		return ContextView{}, err
	}
	ev := audit.Event{Action: ActionPreview, Actor: actor, ContactID: &contactID, RequestID: requestID, At: s.now(),
		Detail: map[string]string{"layout": truncate(l.Name, 128)}}
	if v.ID != 0 {
		ev.VisitorID = &v.ID
	}
	if err := s.audit.Record(ctx, ev); err != nil {
		return ContextView{}, err
	}
	return out, nil
}

// maxPreviewContacts bounds the contacts offered to preview a layout with.
const maxPreviewContacts = 20

// PreviewContacts offers an admin contacts to preview a layout with: those
// q finds (internal/contactsearch), or the first ones when q is blank, each
// as a name and a masked hint.
func (s *Service) PreviewContacts(ctx context.Context, q string) ([]Candidate, error) {
	found, err := s.search.Find(ctx, q, maxPreviewContacts)
	if err != nil {
		return nil, err
	}
	out := make([]Candidate, 0, len(found))
	for _, ct := range found {
		out = append(out, candidate(ct))
	}
	return out, nil
}
