package seed

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/model"
)

// UnknownVisitorImID is the demo visitor linked to no contact.
const UnknownVisitorImID = "demo-visitor-unknown"

// Conversation is a demo chat the playground can open in the sidebar: an
// Easemob visitor and the last message they wrote.
type Conversation struct {
	VisitorImID string
	Channel     string
	VisitorName string
	Preview     string
}

// Conversations returns the first n demo visitors (by contact id) whose
// contact exists, each with a last-message preview in the contact's
// language that mentions their latest order when they have one, followed by
// one visitor linked to no contact (UnknownVisitorImID). Without the demo
// integration it returns an apperr NotFound error with code
// "demo_not_loaded".
func Conversations(ctx context.Context, db *gorm.DB, n int) ([]Conversation, error) {
	db = db.WithContext(ctx)
	loaded, err := demoLoaded(db)
	if err != nil {
		return nil, err
	}
	if !loaded {
		return nil, errNotLoaded()
	}
	var visitors []struct {
		ContactID  int64
		ExternalID string
		Name       string
	}
	if n > 0 {
		err := db.Table("contact_identities").
			Select("contact_identities.contact_id, contact_identities.external_id, contacts.name").
			Joins("JOIN contacts ON contacts.id = contact_identities.contact_id").
			Where("contact_identities.channel = ? AND contact_identities.external_id LIKE ?", "easemob", "demo-visitor-%").
			Order("contact_identities.contact_id").Limit(n).Scan(&visitors).Error
		if err != nil {
			return nil, fmt.Errorf("list demo visitors: %w", err)
		}
	}
	latest := map[int64]model.Order{}
	if len(visitors) > 0 {
		contactIDs := make([]int64, len(visitors))
		for i, v := range visitors {
			contactIDs[i] = v.ContactID
		}
		var orders []model.Order
		if err := db.Where("contact_id IN ?", contactIDs).Order("placed_at DESC, id DESC").Find(&orders).Error; err != nil {
			return nil, fmt.Errorf("list the demo visitors' orders: %w", err)
		}
		for _, o := range orders {
			if _, ok := latest[*o.ContactID]; !ok {
				latest[*o.ContactID] = o
			}
		}
	}
	out := make([]Conversation, 0, len(visitors)+1)
	for _, v := range visitors {
		o, hasOrder := latest[v.ContactID]
		out = append(out, Conversation{
			VisitorImID: v.ExternalID,
			Channel:     "easemob",
			VisitorName: v.Name,
			Preview:     preview(isChinese(v.Name), visitorNumber(v.ExternalID), o, hasOrder),
		})
	}
	out = append(out, Conversation{
		VisitorImID: UnknownVisitorImID,
		Channel:     "easemob",
		VisitorName: "访客 Visitor",
		Preview:     "你好，请问有人在吗？ Hi, is anyone there?",
	})
	return out, nil
}

// preview is the visitor's last message: about their latest order when
// they have one, else one of two general questions.
func preview(zh bool, number int, o model.Order, hasOrder bool) string {
	if !hasOrder {
		if number%2 == 0 {
			return pickLang(zh, "你好，我想修改收货地址。", "Hi, I want to change my shipping address.")
		}
		return pickLang(zh, "你好，请问企业采购有优惠吗？", "Hello, do you offer discounts for bulk orders?")
	}
	switch o.Status {
	case "pending", "paid":
		return pickLang(zh, "我的订单 "+o.OrderNo+" 什么时候发货？", "Hi, when will my order "+o.OrderNo+" ship?")
	case "shipped":
		return pickLang(zh, "订单 "+o.OrderNo+" 显示已发货，现在到哪里了？", "My order "+o.OrderNo+" says shipped. Where is it now?")
	case "refunded":
		return pickLang(zh, "订单 "+o.OrderNo+" 的退款什么时候到账？", "When will I get the refund for order "+o.OrderNo+"?")
	default:
		if number%2 == 0 {
			return pickLang(zh, "订单 "+o.OrderNo+" 收到了，但是少了一件。", "I received order "+o.OrderNo+" but one item is missing.")
		}
		return pickLang(zh, "订单 "+o.OrderNo+" 可以开发票吗？", "Can I get an invoice for order "+o.OrderNo+"?")
	}
}

func pickLang(zh bool, zhText, enText string) string {
	if zh {
		return zhText
	}
	return enText
}

func isChinese(name string) bool {
	for _, r := range name {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// visitorNumber is i of "demo-visitor-%04d", 0 if the id has another shape.
func visitorNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "demo-visitor-"))
	return n
}

// errNotLoaded is returned by Conversations without the demo integration.
func errNotLoaded() error {
	return apperr.New(apperr.NotFound, "demo_not_loaded", "the demo data is not loaded: run crmlens seed --demo")
}
