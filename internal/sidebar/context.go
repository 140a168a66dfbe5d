package sidebar

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/money"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// Context builds what the agent of session c sees: the visitor, its contact
// and one panel per entry of the layout, each record holding only the fields
// the layout names, masked where it says. The read is audited with requestID.
//
// The round trips are fixed whatever the records and the layout: one for the
// visitor, its contact and the contact's account together, one for every
// list panel (tickets, orders, leads) and a pinned order together (see
// listsSQL), and the audit write, which an async audit log batches.
func (s *Service) Context(ctx context.Context, c sessiontoken.Claims, requestID string) (ContextView, error) {
	h, err := s.head(ctx, c)
	if err != nil {
		return ContextView{}, err
	}
	v := h.visitor
	l, why, err := s.layouts.ResolveReason(ctx, layout.Who{Integration: c.IntegrationSlug, Agent: []string{c.AgentID, c.AgentEmail}})
	if err != nil {
		return ContextView{}, err
	}
	out := ContextView{
		Visitor: contextVisitor(v, h.displayName, policyOf(l)),
		Layout:  LayoutRef{Name: l.Name, Reason: why},
		Panels:  []Panel{},
	}
	if h.contact != nil {
		out.Contact = &ContactRef{ID: h.contactID, Name: display(h.contact["name"])}
		out.Match = linkedMatch(v)
		if out.Panels, err = s.panels(ctx, l, h, c.Extra); err != nil {
			return ContextView{}, err
		}
	} else if v.LinkMethod == LinkManual {
		if out.Match, err = s.unlinkedMatchOf(ctx, v.ID); err != nil {
			return ContextView{}, err
		}
	} else {
		out.Match = notLinkedMatch(v, nil)
	}
	ev := audit.Event{Action: audit.ActionContextRead, Actor: actor(c), IntegrationID: &c.IntegrationID, VisitorID: &v.ID,
		RequestID: requestID, At: s.now()}
	if h.contact != nil {
		ev.ContactID = &h.contactID
	}
	if err := s.audit.Record(ctx, ev); err != nil {
		return ContextView{}, err
	}
	return out, nil
}

// contextVisitor is v as the context shows it: with the name the platform
// gave and what it vouched for (its claims), as the layout shows contacts'
// fields (fieldPolicy.verifiedView), so that an agent can tell who writes
// and search for them.
func contextVisitor(v model.Visitor, displayName string, p fieldPolicy) Visitor {
	out := visitorView(v)
	out.DisplayName = displayName
	var claims map[string]string
	if v.Claims != "" && v.Claims != "{}" {
		_ = json.Unmarshal([]byte(v.Claims), &claims) // malformed: nothing shown
	}
	if verified := p.verifiedView(claims); len(verified) > 0 {
		out.Verified = verified
	}
	return out
}

// panels reads one panel per entry of l for the contact of h: the contact
// and account from h, every list panel (and an order pinned by extra) in
// one statement.
func (s *Service) panels(ctx context.Context, l layout.Layout, h head, extra map[string]string) ([]Panel, error) {
	out := make([]Panel, 0, len(l.Panels))
	var lists []layout.Panel
	for _, p := range l.Panels {
		if !p.Object.Single() {
			lists = append(lists, p)
		}
	}
	parts := listParts(lists, extra)
	records, err := s.lists(ctx, parts, h.contactID)
	if err != nil {
		return nil, err
	}
	var pinned map[string]any
	if n := len(parts); n > 0 && parts[n-1].pinned && len(records[n-1]) > 0 {
		pinned = records[n-1][0]
	}
	next := 0 // the next list panel's part
	for _, p := range l.Panels {
		switch p.Object {
		case layout.Contact:
			out = append(out, panelView(p, p.Defs, []map[string]any{h.contact}))
		case layout.Account:
			var rows []map[string]any
			if h.account != nil {
				rows = append(rows, h.account)
			}
			out = append(out, panelView(p, p.Defs, rows))
		default:
			rows := records[next]
			if p.Object == layout.Orders && pinned != nil {
				rows = pinFirst(rows, pinned, parts[next].limit)
			}
			next++
			out = append(out, panelView(p, p.Defs, rows))
		}
	}
	return out, nil
}

// head is the visitor with its contact and account rows (nil when absent),
// keyed by column name as panels read them.
type head struct {
	visitor     model.Visitor
	displayName string
	contactID   int64
	contact     map[string]any
	account     map[string]any
}

// headSQL reads the visitor, its contact and the contact's account in one
// statement. Contact and account columns are all those of the catalog, so
// the statement is the same for every layout (and prepared once).
var headSQL = "SELECT " + headColumns(true) + ", i.disabled_at AS i_disabled_at FROM visitors v" +
	" JOIN integrations i ON i.id = v.integration_id" +
	" LEFT JOIN contacts c ON c.id = v.contact_id LEFT JOIN accounts a ON a.id = c.account_id" +
	" WHERE v.id = ? AND v.integration_id = ?"

// headColumns lists the visitor (when withVisitor), contact and account
// columns of a head.
func headColumns(withVisitor bool) string {
	var cols []string
	if withVisitor {
		cols = append(cols, "v.id AS v_id", "v.channel AS v_channel", "v.external_id AS v_external_id",
			"v.contact_id AS v_contact_id", "v.link_method AS v_link_method", "v.claims AS v_claims",
			"v.display_name AS v_display_name")
	}
	for _, o := range []struct {
		obj   layout.Object
		alias string
	}{{layout.Contact, "c"}, {layout.Account, "a"}} {
		seen := map[string]bool{"id": true}
		cols = append(cols, o.alias+".id AS "+o.alias+"_id", o.alias+"."+layout.CustomColumn+" AS "+o.alias+"_"+layout.CustomColumn)
		for _, k := range layout.FieldKeys(o.obj) {
			f, _ := layout.Lookup(o.obj, k)
			if !seen[f.Column] {
				seen[f.Column] = true
				cols = append(cols, o.alias+"."+f.Column+" AS "+o.alias+"_"+f.Column)
			}
		}
	}
	return strings.Join(cols, ", ")
}

// replicaFailed says whether err is a read replica's failure to answer, for
// the read to be made again on the primary: a replica that went down since
// its last check (database.Reads takes it out of rotation at the next one)
// costs a retry, not the agent's answer.
func (s *Service) replicaFailed(ctx context.Context, err error) bool {
	return err != nil && s.reads != s.db && ctx.Err() == nil
}

func (s *Service) head(ctx context.Context, c sessiontoken.Claims) (head, error) {
	rows, err := scanRows(database.FromReplica(s.reads.WithContext(ctx)).Raw(headSQL, c.VisitorID, c.IntegrationID))
	// The primary answers when a replica failed, and for a visitor created
	// a moment ago that has not reached the replica yet.
	if s.replicaFailed(ctx, err) || err == nil && len(rows) == 0 && s.reads != s.db {
		rows, err = scanRows(s.db.WithContext(ctx).Raw(headSQL, c.VisitorID, c.IntegrationID))
	}
	if err != nil {
		return head{}, fmt.Errorf("load visitor: %w", err)
	}
	if len(rows) == 0 {
		return head{}, apperr.New(apperr.NotFound, CodeVisitorGone, "this visitor no longer exists; reload the page")
	}
	r := rows[0]
	if r["i_disabled_at"] != nil {
		if err := s.disabled(ctx, c.IntegrationID); err != nil {
			return head{}, err
		}
	}
	var h head
	h.displayName = display(r["v_display_name"])
	h.visitor = model.Visitor{ID: asInt(r["v_id"]), Channel: display(r["v_channel"]), ExternalID: display(r["v_external_id"]),
		LinkMethod: display(r["v_link_method"]), Claims: display(r["v_claims"]), IntegrationID: c.IntegrationID}
	if r["v_contact_id"] != nil && r["c_id"] != nil {
		h.contactID = asInt(r["c_id"])
		h.visitor.ContactID = &h.contactID
		h.contact = prefixed(r, "c_")
		if r["a_id"] != nil {
			h.account = prefixed(r, "a_")
		}
	}
	return h, nil
}

// disabled is the integration_disabled error of a session whose integration
// an admin disabled after it opened: such sessions stop working at once.
// It runs only on that rare path, to word the error with the integration.
func (s *Service) disabled(ctx context.Context, integrationID int64) error {
	var in model.Integration
	if err := s.db.WithContext(ctx).Take(&in, integrationID).Error; err != nil {
		return fmt.Errorf("load integration: %w", err)
	}
	// nil when it was enabled again meanwhile (a replica was behind).
	return integration.CheckEnabled(in)
}

// prefixed returns the columns of r named with prefix, without it.
func prefixed(r map[string]any, prefix string) map[string]any {
	out := map[string]any{}
	for k, v := range r {
		if name, ok := strings.CutPrefix(k, prefix); ok {
			out[name] = v
		}
	}
	return out
}

func asInt(v any) int64 {
	n, _ := strconv.ParseInt(display(v), 10, 64)
	return n
}

// pinnedOrderParams are the extra params by which an app names the order a
// conversation is about (Easemob's updateVisitorInfoSrc); that order is shown
// first in an orders panel.
var pinnedOrderParams = []string{"orderNo", "order_no", "orderId", "order_id"}

// pinFirst puts pinned at the head of rows, once, within limit.
func pinFirst(rows []map[string]any, pinned map[string]any, limit int) []map[string]any {
	out := []map[string]any{pinned}
	for _, r := range rows {
		if display(r["id"]) != display(pinned["id"]) {
			out = append(out, r)
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func panelView(p layout.Panel, fields []layout.Field, rows []map[string]any) Panel {
	out := Panel{
		Key: p.Key, Object: p.Object, Title: p.Title,
		Kind: PanelList, Fields: make([]FieldDef, 0, len(fields)), Records: make([]Record, 0, len(rows)),
	}
	if p.Object.Single() {
		out.Kind = PanelRecord
	}
	for _, f := range fields {
		label := f.Label
		if l, ok := p.Labels[f.Key]; ok {
			label = l
		}
		def := FieldDef{Key: f.Key, Label: label, Type: f.Type, Masked: p.IsMasked(f.Key)}
		// The currency is named only when the panel shows it: a field the
		// layout does not name never leaves the server.
		if f.CurrencyField != "" && slices.Contains(p.Fields, f.CurrencyField) {
			def.CurrencyField = f.CurrencyField
		}
		out.Fields = append(out.Fields, def)
	}
	for _, row := range rows {
		rec := Record{ID: display(row["id"]), Values: make(map[string]*string, len(fields))}
		customValues := customOf(row)
		var currencies map[string]string
		for _, f := range fields {
			// A money amount is in its record's currency whether or not the
			// panel shows the currency field: the code goes with the amount.
			if f.Type == layout.Money {
				if cf, ok := layout.Lookup(p.Object, f.CurrencyField); ok {
					if code := display(row[cf.Column]); code != "" {
						if currencies == nil {
							currencies = map[string]string{}
						}
						currencies[f.Key] = code
					}
				}
			}
			var val *string
			raw, ok := row[f.Column]
			if f.Custom {
				raw, ok = customValues[f.Key]
			}
			if ok && raw != nil {
				s := render(f, raw, row)
				if p.IsMasked(f.Key) {
					s = Mask(f.Type, s)
				}
				val = &s
			}
			rec.Values[f.Key] = val
		}
		rec.Currencies = currencies
		out.Records = append(out.Records, rec)
	}
	return out
}

// render turns a column value into the API's display string.
func render(f layout.Field, raw any, row map[string]any) string {
	if f.Type == layout.Money {
		currency := ""
		if cf, ok := layout.Lookup(layout.Orders, f.CurrencyField); ok {
			currency = display(row[cf.Column])
		}
		if minor, err := strconv.ParseInt(display(raw), 10, 64); err == nil {
			return money.Format(minor, currency)
		}
	}
	if f.Type == layout.DateTime || f.Type == layout.Date {
		if t, ok := asTime(raw); ok {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return display(raw)
}

// sqliteTimeLayouts are the forms a DATETIME column comes back in from SQLite
// when scanned without a destination type.
var sqliteTimeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"}

func asTime(raw any) (time.Time, bool) {
	switch x := raw.(type) {
	case time.Time:
		return x, true
	case string, []byte:
		s := display(x)
		for _, l := range sqliteTimeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

func display(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// customOf decodes a row's custom JSON object; absent or malformed is empty.
func customOf(row map[string]any) map[string]any {
	raw, ok := row[layout.CustomColumn]
	if !ok || raw == nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(display(raw)), &m); err != nil {
		return nil
	}
	return m
}

// scanRows runs q and returns its rows keyed by column, every value as its
// text (nil for NULL). Scanning into strings skips GORM's reflection over
// maps, which cost more than the query on the context's hot path; times
// arrive in RFC 3339 and render() parses them back.
func scanRows(q *gorm.DB) ([]map[string]any, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	vals := make([]sql.NullString, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	var out []map[string]any
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		m := make(map[string]any, len(cols))
		for i, c := range cols {
			if vals[i].Valid {
				m[c] = vals[i].String
			} else {
				m[c] = nil
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
