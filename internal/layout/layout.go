// Package layout describes what the sidebar shows: the catalog of objects and
// fields crmlens knows, and layouts, ordered panels naming an object, its
// fields, which are masked, a record limit and a filter. Until admins manage
// layouts, every session uses Default.
package layout

// Object names a kind of CRM record a panel shows.
type Object string

const (
	Contact Object = "contact"
	Account Object = "account"
	Leads   Object = "leads"
	Tickets Object = "tickets"
	Orders  Object = "orders"
)

// FieldType is how a value is rendered.
type FieldType string

const (
	Text     FieldType = "text"
	Number   FieldType = "number"
	Money    FieldType = "money"
	Date     FieldType = "date"
	DateTime FieldType = "datetime"
	Enum     FieldType = "enum"
	Bool     FieldType = "bool"
	Phone    FieldType = "phone"
	Email    FieldType = "email"
	URL      FieldType = "url"
)

// Label is a text in both UI languages.
type Label struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Field is one field of a catalog object.
type Field struct {
	Key    string
	Column string // the column it is read from; "custom" for custom fields
	// Custom fields are read from the record's custom JSON object.
	Custom bool
	Type   FieldType
	Label  Label
	// CurrencyField names the field holding the currency of a Money field.
	CurrencyField string
	// Values are a custom enum field's allowed values, in the admin's order
	// (empty for built-in enums, whose values are whatever the CRM holds).
	Values []string
}

// Filter keeps the records whose Field is one of Values.
type Filter struct {
	Field  string
	Values []string
}

// Panel is one entry of a layout.
type Panel struct {
	Key    string
	Object Object
	Title  Label
	Fields []string
	Masked []string
	// Labels override catalog labels per field.
	Labels map[string]Label
	Limit  int
	// Sort is a field key, newest or largest first.
	Sort string
	// Filters keep records whose fields are among the given values.
	Filters []Filter
	// Defs are the catalog entries of Fields, in order, resolved when the
	// layout was loaded.
	Defs []Field
}

// IsMasked reports whether the panel masks field.
func (p Panel) IsMasked(field string) bool {
	for _, m := range p.Masked {
		if m == field {
			return true
		}
	}
	return false
}

// Layout is an ordered list of panels with a name.
type Layout struct {
	Name   string
	Panels []Panel
}

// Single reports whether o is shown as one record rather than a list.
func (o Object) Single() bool { return o == Contact || o == Account }

// Default is the built-in layout: the contact (phone masked), the account,
// open tickets, the five latest orders and open leads.
func Default() Layout {
	l := defaultLayout()
	for i := range l.Panels {
		p := &l.Panels[i]
		for _, k := range p.Fields {
			f, _ := Lookup(p.Object, k)
			p.Defs = append(p.Defs, f)
		}
	}
	return l
}

func defaultLayout() Layout {
	return Layout{
		Name: "default",
		Panels: []Panel{
			{Key: "contact", Object: Contact, Title: Label{"联系人", "Contact"},
				Fields: []string{"name", "phone", "email", "title"}, Masked: []string{"phone"}},
			{Key: "account", Object: Account, Title: Label{"客户", "Account"},
				Fields: []string{"name", "industry", "tier", "owner"}},
			{Key: "tickets", Object: Tickets, Title: Label{"未结工单", "Open tickets"},
				Fields: []string{"subject", "status", "priority", "created_at"}, Limit: 10, Sort: "created_at",
				Filters: []Filter{{Field: "status", Values: []string{"open", "pending"}}}},
			{Key: "orders", Object: Orders, Title: Label{"最近订单", "Recent orders"},
				Fields: []string{"order_no", "amount", "currency", "status", "placed_at"}, Limit: 5, Sort: "placed_at"},
			{Key: "leads", Object: Leads, Title: Label{"进行中的线索", "Open leads"},
				Fields: []string{"title", "status", "source", "created_at"}, Limit: 10, Sort: "created_at",
				Filters: []Filter{{Field: "status", Values: []string{"open", "qualified"}}}},
		},
	}
}
