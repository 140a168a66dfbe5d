package layout

// catalog lists the built-in fields of each object, in their natural order.
var catalog = map[Object][]Field{
	Contact: {
		{Key: "name", Column: "name", Type: Text, Label: Label{"姓名", "Name"}},
		{Key: "phone", Column: "phone", Type: Phone, Label: Label{"手机", "Phone"}},
		{Key: "email", Column: "email", Type: Email, Label: Label{"邮箱", "Email"}},
		{Key: "title", Column: "title", Type: Text, Label: Label{"职位", "Title"}},
		{Key: "owner", Column: "owner", Type: Text, Label: Label{"负责人", "Owner"}},
		{Key: "external_id", Column: "external_id", Type: Text, Label: Label{"编号", "ID"}},
	},
	Account: {
		{Key: "name", Column: "name", Type: Text, Label: Label{"名称", "Name"}},
		{Key: "industry", Column: "industry", Type: Text, Label: Label{"行业", "Industry"}},
		{Key: "tier", Column: "tier", Type: Enum, Label: Label{"等级", "Tier"}},
		{Key: "owner", Column: "owner", Type: Text, Label: Label{"负责人", "Owner"}},
		{Key: "external_id", Column: "external_id", Type: Text, Label: Label{"编号", "ID"}},
	},
	Tickets: {
		{Key: "subject", Column: "subject", Type: Text, Label: Label{"主题", "Subject"}},
		{Key: "status", Column: "status", Type: Enum, Label: Label{"状态", "Status"}},
		{Key: "priority", Column: "priority", Type: Enum, Label: Label{"优先级", "Priority"}},
		{Key: "created_at", Column: "created_at", Type: DateTime, Label: Label{"创建时间", "Created"}},
		{Key: "external_id", Column: "external_id", Type: Text, Label: Label{"编号", "ID"}},
	},
	Orders: {
		{Key: "order_no", Column: "order_no", Type: Text, Label: Label{"订单号", "Order no."}},
		{Key: "amount", Column: "amount_minor", Type: Money, Label: Label{"金额", "Amount"}, CurrencyField: "currency"},
		{Key: "currency", Column: "currency", Type: Text, Label: Label{"币种", "Currency"}},
		{Key: "status", Column: "status", Type: Enum, Label: Label{"状态", "Status"}},
		{Key: "placed_at", Column: "placed_at", Type: DateTime, Label: Label{"下单时间", "Placed"}},
		{Key: "external_id", Column: "external_id", Type: Text, Label: Label{"编号", "ID"}},
	},
	Leads: {
		{Key: "title", Column: "title", Type: Text, Label: Label{"标题", "Title"}},
		{Key: "status", Column: "status", Type: Enum, Label: Label{"状态", "Status"}},
		{Key: "source", Column: "source", Type: Text, Label: Label{"来源", "Source"}},
		{Key: "created_at", Column: "created_at", Type: DateTime, Label: Label{"创建时间", "Created"}},
		{Key: "external_id", Column: "external_id", Type: Text, Label: Label{"编号", "ID"}},
	},
}

// Catalog is every field panels may show: the built-in ones and the custom
// fields admins defined (not retired).
type Catalog struct {
	custom map[Object][]Field
}

// Builtin is the catalog without custom fields.
func Builtin() Catalog { return Catalog{} }

// Lookup returns field key of object, built-in first.
func (c Catalog) Lookup(object Object, key string) (Field, bool) {
	if f, ok := Lookup(object, key); ok {
		return f, true
	}
	for _, f := range c.custom[object] {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Keys lists the field keys of object, built-in then custom.
func (c Catalog) Keys(object Object) []string {
	keys := FieldKeys(object)
	for _, f := range c.custom[object] {
		keys = append(keys, f.Key)
	}
	return keys
}

// Lookup returns the built-in field key of object, and whether it exists.
func Lookup(object Object, key string) (Field, bool) {
	for _, f := range catalog[object] {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Table is the table an object is stored in.
func (o Object) Table() string {
	switch o {
	case Contact:
		return "contacts"
	case Account:
		return "accounts"
	default:
		return string(o)
	}
}
