// Package baseline is the hand-written service crmlens-bench measures the
// sidebar context endpoint against: plain net/http and database/sql
// (go-sql-driver/mysql), reading what the default layout shows the naive way,
// one query per panel, and writing the same audit row and the same JSON.
//
// It differs from crmlens on purpose in what it does not do: it takes the
// visitor and integration ids from the query string (GET
// /context?visitor=ID&integration=ID&agent=LABEL) instead of verifying a
// session token, and it has no router, middleware, request log or layout
// engine. Its statements are prepared once, as crmlens's GORM
// (PrepareStmt) prepares its own, so the two speak the same protocol to
// MariaDB and the comparison is of the work around the queries and of how
// many there are.
package baseline

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/crmlens/crmlens/internal/money"
)

// Statements, one round trip each. The contact row serves both the contact
// summary and the contact panel.
const (
	qVisitor = "SELECT id, channel, external_id, contact_id, link_method FROM visitors WHERE id = ? AND integration_id = ?"
	qContact = "SELECT id, account_id, name, phone, email, title FROM contacts WHERE id = ?"
	qAccount = "SELECT id, name, industry, tier, owner FROM accounts WHERE id = ?"
	qTickets = "SELECT id, subject, status, priority, created_at FROM tickets WHERE contact_id = ? AND status IN (?, ?) " +
		"ORDER BY created_at DESC, id DESC LIMIT 10"
	qOrders = "SELECT id, order_no, amount_minor, currency, status, placed_at FROM orders WHERE contact_id = ? " +
		"ORDER BY placed_at DESC, id DESC LIMIT 5"
	qLeads = "SELECT id, title, status, source, created_at FROM leads WHERE contact_id = ? AND status IN (?, ?) " +
		"ORDER BY created_at DESC, id DESC LIMIT 10"
	qAudit = "INSERT INTO audit_events (action, actor, integration_id, visitor_id, contact_id, request_id, detail, created_at) " +
		"VALUES ('context.read', ?, ?, ?, ?, ?, '{}', ?)"
)

// Queries is the number of statements one request with a linked contact
// that has an account runs.
const Queries = 7

// Handler serves GET /context.
type Handler struct {
	log   *slog.Logger
	stmts map[string]*sql.Stmt
}

// New prepares the handler's statements on db.
func New(ctx context.Context, db *sql.DB, log *slog.Logger) (*Handler, error) {
	h := &Handler{log: log, stmts: map[string]*sql.Stmt{}}
	for _, q := range []string{qVisitor, qContact, qAccount, qTickets, qOrders, qLeads, qAudit} {
		s, err := db.PrepareContext(ctx, q)
		if err != nil {
			h.Close()
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		h.stmts[q] = s
	}
	return h, nil
}

// Close closes the prepared statements.
func (h *Handler) Close() {
	for _, s := range h.stmts {
		_ = s.Close()
	}
}

// The JSON written, in the shape of crmlens's api.SidebarContext.
type (
	label struct {
		Zh string `json:"zh"`
		En string `json:"en"`
	}
	fieldDef struct {
		Key           string  `json:"key"`
		Label         label   `json:"label"`
		Type          string  `json:"type"`
		Masked        bool    `json:"masked"`
		CurrencyField *string `json:"currencyField,omitempty"`
	}
	record struct {
		ID     string             `json:"id"`
		Values map[string]*string `json:"values"`
	}
	panel struct {
		Key     string     `json:"key"`
		Object  string     `json:"object"`
		Title   label      `json:"title"`
		Kind    string     `json:"kind"`
		Fields  []fieldDef `json:"fields"`
		Records []record   `json:"records"`
	}
	visitorView struct {
		ID         string `json:"id"`
		Channel    string `json:"channel"`
		ExternalID string `json:"externalId"`
	}
	contactView struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	match struct {
		Status    string   `json:"status"`
		Method    string   `json:"method,omitempty"`
		MatchedOn []string `json:"matchedOn,omitempty"`
		Reason    string   `json:"reason"`
		Code      string   `json:"reasonCode,omitempty"`
	}
	layoutRef struct {
		Name   string `json:"name"`
		Reason string `json:"reason"`
	}
	sidebarContext struct {
		Visitor visitorView  `json:"visitor"`
		Contact *contactView `json:"contact,omitempty"`
		Match   match        `json:"match"`
		Layout  layoutRef    `json:"layout"`
		Panels  []panel      `json:"panels"`
	}
)

var currency = "currency"

// The default layout's panels, written out by hand.
var (
	contactFields = []fieldDef{
		{Key: "name", Label: label{"姓名", "Name"}, Type: "text"},
		{Key: "phone", Label: label{"手机", "Phone"}, Type: "phone", Masked: true},
		{Key: "email", Label: label{"邮箱", "Email"}, Type: "email"},
		{Key: "title", Label: label{"职位", "Title"}, Type: "text"},
	}
	accountFields = []fieldDef{
		{Key: "name", Label: label{"名称", "Name"}, Type: "text"},
		{Key: "industry", Label: label{"行业", "Industry"}, Type: "text"},
		{Key: "tier", Label: label{"等级", "Tier"}, Type: "enum"},
		{Key: "owner", Label: label{"负责人", "Owner"}, Type: "text"},
	}
	ticketFields = []fieldDef{
		{Key: "subject", Label: label{"主题", "Subject"}, Type: "text"},
		{Key: "status", Label: label{"状态", "Status"}, Type: "enum"},
		{Key: "priority", Label: label{"优先级", "Priority"}, Type: "enum"},
		{Key: "created_at", Label: label{"创建时间", "Created"}, Type: "datetime"},
	}
	orderFields = []fieldDef{
		{Key: "order_no", Label: label{"订单号", "Order no."}, Type: "text"},
		{Key: "amount", Label: label{"金额", "Amount"}, Type: "money", CurrencyField: &currency},
		{Key: "currency", Label: label{"币种", "Currency"}, Type: "text"},
		{Key: "status", Label: label{"状态", "Status"}, Type: "enum"},
		{Key: "placed_at", Label: label{"下单时间", "Placed"}, Type: "datetime"},
	}
	leadFields = []fieldDef{
		{Key: "title", Label: label{"标题", "Title"}, Type: "text"},
		{Key: "status", Label: label{"状态", "Status"}, Type: "enum"},
		{Key: "source", Label: label{"来源", "Source"}, Type: "text"},
		{Key: "created_at", Label: label{"创建时间", "Created"}, Type: "datetime"},
	}
)

type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// ServeHTTP answers GET /context.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/context" || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	visitorID, err1 := strconv.ParseInt(q.Get("visitor"), 10, 64)
	integrationID, err2 := strconv.ParseInt(q.Get("integration"), 10, 64)
	if err1 != nil || err2 != nil {
		writeError(w, http.StatusBadRequest, "visitor and integration must be ids")
		return
	}
	requestID := newRequestID()
	out, err := h.context(r.Context(), visitorID, integrationID, q.Get("agent"), requestID)
	if err != nil {
		var he *httpError
		if errors.As(err, &he) {
			writeError(w, he.status, he.msg)
			return
		}
		h.log.Error("context", "err", err.Error())
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Request-Id", requestID)
	_ = json.NewEncoder(w).Encode(out)
}

func (h *Handler) context(ctx context.Context, visitorID, integrationID int64, agent, requestID string) (sidebarContext, error) {
	var (
		v         visitorView
		vid       int64
		contactID sql.NullInt64
		method    string
	)
	err := h.stmts[qVisitor].QueryRowContext(ctx, visitorID, integrationID).Scan(&vid, &v.Channel, &v.ExternalID, &contactID, &method)
	if errors.Is(err, sql.ErrNoRows) {
		return sidebarContext{}, &httpError{http.StatusNotFound, "this visitor no longer exists"}
	}
	if err != nil {
		return sidebarContext{}, fmt.Errorf("visitor: %w", err)
	}
	v.ID = strconv.FormatInt(vid, 10)
	out := sidebarContext{
		Visitor: v,
		Layout:  layoutRef{Name: "default", Reason: "the built-in default layout applies: no layout is stored for this integration, agent, group or as default"},
		Panels:  []panel{},
	}
	var (
		cid                      int64
		accountID                sql.NullInt64
		name, phone, email, titl string
		linked                   bool
	)
	if contactID.Valid {
		err := h.stmts[qContact].QueryRowContext(ctx, contactID.Int64).Scan(&cid, &accountID, &name, &phone, &email, &titl)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return sidebarContext{}, fmt.Errorf("contact: %w", err)
		default:
			linked = true
		}
	}
	if !linked {
		out.Match = match{Status: "not_linked", Code: "no_identity", Reason: fmt.Sprintf("no contact has the %s id %s as an identity", v.Channel, clip(v.ExternalID, 64))}
	} else {
		out.Contact = &contactView{ID: strconv.FormatInt(cid, 10), Name: name}
		out.Match = linkedMatch(method, v)
		masked := maskPhone(phone)
		out.Panels = append(out.Panels, panel{Key: "contact", Object: "contact", Title: label{"联系人", "Contact"}, Kind: "record",
			Fields: contactFields, Records: []record{{ID: strconv.FormatInt(cid, 10), Values: map[string]*string{
				"name": &name, "phone": &masked, "email": &email, "title": &titl,
			}}}})

		account := panel{Key: "account", Object: "account", Title: label{"客户", "Account"}, Kind: "record", Fields: accountFields, Records: []record{}}
		if accountID.Valid {
			var id int64
			var aname, industry, tier, owner string
			err := h.stmts[qAccount].QueryRowContext(ctx, accountID.Int64).Scan(&id, &aname, &industry, &tier, &owner)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return sidebarContext{}, fmt.Errorf("account: %w", err)
			default:
				account.Records = append(account.Records, record{ID: strconv.FormatInt(id, 10), Values: map[string]*string{
					"name": &aname, "industry": &industry, "tier": &tier, "owner": &owner,
				}})
			}
		}
		out.Panels = append(out.Panels, account)

		tickets, err := h.list(ctx, qTickets, []any{cid, "open", "pending"}, func(rows *sql.Rows) (record, error) {
			var id int64
			var subject, status, priority string
			var created time.Time
			if err := rows.Scan(&id, &subject, &status, &priority, &created); err != nil {
				return record{}, err
			}
			at := created.UTC().Format(time.RFC3339)
			return record{ID: strconv.FormatInt(id, 10), Values: map[string]*string{
				"subject": &subject, "status": &status, "priority": &priority, "created_at": &at,
			}}, nil
		})
		if err != nil {
			return sidebarContext{}, fmt.Errorf("tickets: %w", err)
		}
		out.Panels = append(out.Panels, panel{Key: "tickets", Object: "tickets", Title: label{"未结工单", "Open tickets"}, Kind: "list",
			Fields: ticketFields, Records: tickets})

		orders, err := h.list(ctx, qOrders, []any{cid}, func(rows *sql.Rows) (record, error) {
			var id, minor int64
			var orderNo, cur, status string
			var placed time.Time
			if err := rows.Scan(&id, &orderNo, &minor, &cur, &status, &placed); err != nil {
				return record{}, err
			}
			amount := money.Format(minor, cur)
			at := placed.UTC().Format(time.RFC3339)
			return record{ID: strconv.FormatInt(id, 10), Values: map[string]*string{
				"order_no": &orderNo, "amount": &amount, "currency": &cur, "status": &status, "placed_at": &at,
			}}, nil
		})
		if err != nil {
			return sidebarContext{}, fmt.Errorf("orders: %w", err)
		}
		out.Panels = append(out.Panels, panel{Key: "orders", Object: "orders", Title: label{"最近订单", "Recent orders"}, Kind: "list",
			Fields: orderFields, Records: orders})

		leads, err := h.list(ctx, qLeads, []any{cid, "open", "qualified"}, func(rows *sql.Rows) (record, error) {
			var id int64
			var title, status, source string
			var created time.Time
			if err := rows.Scan(&id, &title, &status, &source, &created); err != nil {
				return record{}, err
			}
			at := created.UTC().Format(time.RFC3339)
			return record{ID: strconv.FormatInt(id, 10), Values: map[string]*string{
				"title": &title, "status": &status, "source": &source, "created_at": &at,
			}}, nil
		})
		if err != nil {
			return sidebarContext{}, fmt.Errorf("leads: %w", err)
		}
		out.Panels = append(out.Panels, panel{Key: "leads", Object: "leads", Title: label{"进行中的线索", "Open leads"}, Kind: "list",
			Fields: leadFields, Records: leads})
	}
	var auditContact any
	if linked {
		auditContact = cid
	}
	_, err = h.stmts[qAudit].ExecContext(ctx, clip(agent, 255), integrationID, vid, auditContact, requestID, time.Now().UTC())
	if err != nil {
		return sidebarContext{}, fmt.Errorf("audit: %w", err)
	}
	return out, nil
}

func (h *Handler) list(ctx context.Context, query string, args []any, scan func(*sql.Rows) (record, error)) ([]record, error) {
	rows, err := h.stmts[query].QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []record{}
	for rows.Next() {
		rec, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

func linkedMatch(method string, v visitorView) match {
	if method == "identity" {
		return match{Status: "linked", Method: "identity", MatchedOn: []string{v.Channel + " id"}, Code: "identity",
			Reason: fmt.Sprintf("the %s id %s is an identity of this contact", v.Channel, clip(v.ExternalID, 64))}
	}
	return match{Status: "linked", Method: "existing_link", Code: "existing_link", Reason: "this visitor was linked to this contact earlier"}
}

// maskPhone keeps the first 3 and last 4 characters of a phone number.
func maskPhone(s string) string {
	r := []rune(s)
	switch {
	case len(r) == 0:
		return s
	case len(r) >= 8:
		return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
	case len(r) <= 2:
		return strings.Repeat("*", len(r))
	default:
		return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
	}
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]map[string]string{"error": {"message": msg}})
}
