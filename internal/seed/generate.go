package seed

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

// PCG seeds: the same Options give the same data.
const (
	seedAccounts uint64 = 0x63726d6c656e7301 // "crmlens" 01
	seedContacts uint64 = 0x63726d6c656e7302
)

const day = 24 * time.Hour

// ids holds one id per demo table.
type ids struct {
	account, contact, identity, order, ticket, lead int64
}

// generator makes the demo records. Contact i draws from its own PCG
// stream (seedContacts, i), so its data depends only on i, the number of
// accounts and Now; rows get explicit ids counted up from the tables'
// largest ids, so nothing needs to be read back after an insert.
type generator struct {
	now      time.Time
	accounts int
	next     ids // the last id given out per table
	orderNo  int
	ticketNo int
	leadNo   int
	norm     matchkey.Normalizer
}

// chunk is the records of a run of contacts, written in one transaction.
type chunk struct {
	contacts   []model.Contact
	identities []model.ContactIdentity
	orders     []model.Order
	tickets    []model.Ticket
	leads      []model.Lead
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// weighted picks values[i] with probability weights[i]/sum(weights).
func weighted(r *rand.Rand, values []string, weights []int) string {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return values[i]
		}
		n -= w
	}
	return values[len(values)-1]
}

// ago is a time between 1 second and span before now, in whole seconds.
func ago(r *rand.Rand, now time.Time, span time.Duration) time.Time {
	return now.Add(-time.Duration(1+r.Int64N(int64(span/time.Second)-1)) * time.Second)
}

// between is a time in [from, to], in whole seconds.
func between(r *rand.Rand, from, to time.Time) time.Time {
	return from.Add(time.Duration(r.Int64N(int64(to.Sub(from)/time.Second)+1)) * time.Second)
}

// account makes demo account k (1-based).
func (g *generator) account(k int) model.Account {
	r := rand.New(rand.NewPCG(seedAccounts, uint64(k)))
	ind := industries[r.IntN(len(industries))]
	var name string
	if r.IntN(2) == 0 {
		name = pick(r, citiesZH) + pick(r, brandsZH) + ind.zh + "有限公司"
	} else {
		name = pick(r, brandsEN) + " " + ind.en + " " + pick(r, companyForms)
	}
	created := ago(r, g.now, 3*365*day)
	g.next.account++
	return model.Account{
		ID:         g.next.account,
		ExternalID: fmt.Sprintf("demo-account-%06d", k),
		Name:       name,
		Industry:   ind.name,
		Tier:       pick(r, tiers),
		Owner:      pick(r, owners),
		CreatedAt:  created,
		UpdatedAt:  between(r, created, g.now),
	}
}

// scramble maps i < 10^8 one-to-one onto 8 digits (48271 is coprime to
// 10^8), so every demo phone number is different.
func scramble(i int) int { return int((uint64(i)*48271 + 20240601) % 100_000_000) }

// contact appends demo contact i (1-based) and its identities, orders,
// tickets and leads to c. accountBase is the id before the first demo
// account.
func (g *generator) contact(i int, accountBase int64, c *chunk) {
	r := rand.New(rand.NewPCG(seedContacts, uint64(i)))
	zh := i == 1 || (i != 2 && r.IntN(2) == 0)
	var name, email, title string
	domain := pick(r, emailDomains)
	if zh {
		s, gn := pick(r, surnames), pick(r, givenNames)
		name = s.zh + gn.zh
		email = fmt.Sprintf("%s.%s%d@%s", gn.pinyin, s.pinyin, i, domain)
		title = pick(r, titlesZH)
	} else {
		first, last := pick(r, firstNames), pick(r, lastNames)
		name = first + " " + last
		email = fmt.Sprintf("%s.%s%d@%s", strings.ToLower(first), strings.ToLower(last), i, domain)
		title = pick(r, titlesEN)
	}
	if r.IntN(10) == 0 && i > 2 {
		email = ""
	}
	phone := fmt.Sprintf("1%d%d%08d", 3+r.IntN(7), r.IntN(10), scramble(i))
	var accountID *int64
	if k := 1 + r.IntN(g.accounts); i <= 2 || r.IntN(5) < 4 {
		id := accountBase + int64(k)
		accountID = &id
	}
	created := ago(r, g.now, 2*365*day)
	g.next.contact++
	contactID := g.next.contact
	c.contacts = append(c.contacts, model.Contact{
		ID:         contactID,
		ExternalID: fmt.Sprintf("demo-contact-%06d", i),
		AccountID:  accountID,
		Name:       name,
		Phone:      phone,
		Email:      email,
		PhoneMatch: g.norm.Phone(phone),
		EmailMatch: g.norm.Email(email),
		Title:      title,
		Owner:      pick(r, owners),
		CreatedAt:  created,
		UpdatedAt:  between(r, created, g.now),
	})

	g.next.identity++
	c.identities = append(c.identities, model.ContactIdentity{
		ID: g.next.identity, ContactID: contactID, Channel: "easemob",
		ExternalID: VisitorImID(i), CreatedAt: created,
	})
	if i%10 == 0 {
		g.next.identity++
		c.identities = append(c.identities, model.ContactIdentity{
			ID: g.next.identity, ContactID: contactID, Channel: "wechat",
			ExternalID: openID(r, i), CreatedAt: created,
		})
	}

	g.orders(r, i, contactID, c)
	g.tickets(r, i, zh, contactID, c)
	g.leads(r, i, zh, contactID, c)
}

// VisitorImID is the Easemob visitor id of demo contact i (1-based).
func VisitorImID(i int) string { return fmt.Sprintf("demo-visitor-%04d", i) }

// openID is a WeChat-openid-like id: 28 characters, "oDemo", 16 random
// ones and i in base 36, so it is unique.
func openID(r *rand.Rand, i int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, 0, 28)
	b = append(b, "oDemo"...)
	for range 16 {
		b = append(b, alphabet[r.IntN(len(alphabet))])
	}
	n := strconv.FormatInt(int64(i), 36)
	for range 7 - len(n) {
		b = append(b, '0')
	}
	return string(append(b, n...))
}

// orders appends 0 to 10 orders, five on average: a million demo contacts
// come with the five million orders the context call's indexes are sized
// for (and `make bench` measures).
func (g *generator) orders(r *rand.Rand, i int, contactID int64, c *chunk) {
	n := r.IntN(11)
	switch i {
	case 1:
		n = 6
	case 2:
		n = 2 + r.IntN(3)
	}
	placed := make([]time.Time, n)
	for k := range placed {
		placed[k] = ago(r, g.now, 365*day)
	}
	slices.SortFunc(placed, func(a, b time.Time) int { return a.Compare(b) })
	if i == 1 {
		// The showcase contact waits for a recent order to ship.
		placed[n-1] = g.now.Add(-20 * time.Hour)
	}
	for k, at := range placed {
		age := g.now.Sub(at)
		var status string
		switch {
		case i == 1 && k == n-1:
			status = "paid"
		case age < 3*day:
			status = weighted(r, []string{"pending", "paid"}, []int{1, 2})
		case age < 10*day:
			status = weighted(r, []string{"paid", "shipped"}, []int{1, 3})
		default:
			status = weighted(r, []string{"delivered", "refunded"}, []int{9, 1})
		}
		currency, minor := "CNY", int64(9+r.IntN(2990))*100+int64(pick(r, []int{0, 50, 90, 99}))
		if i != 1 && r.IntN(10) == 0 {
			currency, minor = "USD", int64(5+r.IntN(495))*100+int64(pick(r, []int{0, 49, 99}))
		}
		g.orderNo++
		g.next.order++
		c.orders = append(c.orders, model.Order{
			ID:          g.next.order,
			ExternalID:  fmt.Sprintf("demo-order-%07d", g.orderNo),
			ContactID:   &contactID,
			OrderNo:     fmt.Sprintf("SO-2026-%06d", g.orderNo),
			AmountMinor: minor,
			Currency:    currency,
			Status:      status,
			PlacedAt:    at,
			CreatedAt:   at,
			UpdatedAt:   between(r, at, g.now),
		})
	}
}

func (g *generator) tickets(r *rand.Rand, i int, zh bool, contactID int64, c *chunk) {
	n := r.IntN(4)
	if i == 1 {
		n = 2
	}
	subjects := ticketSubjectsEN
	if zh {
		subjects = ticketSubjectsZH
	}
	for k := range n {
		created := ago(r, g.now, 180*day)
		status := weighted(r, []string{"open", "pending", "solved", "closed"}, []int{25, 20, 35, 20})
		if i == 1 && k == 0 {
			status = "open"
		}
		g.ticketNo++
		g.next.ticket++
		c.tickets = append(c.tickets, model.Ticket{
			ID:         g.next.ticket,
			ExternalID: fmt.Sprintf("demo-ticket-%07d", g.ticketNo),
			ContactID:  &contactID,
			Subject:    pick(r, subjects),
			Status:     status,
			Priority:   weighted(r, []string{"low", "normal", "high", "urgent"}, []int{15, 60, 20, 5}),
			CreatedAt:  created,
			UpdatedAt:  between(r, created, minTime(created.Add(7*day), g.now)),
		})
	}
}

func (g *generator) leads(r *rand.Rand, i int, zh bool, contactID int64, c *chunk) {
	n := r.IntN(3)
	if i == 1 {
		n = 2
	}
	titles := leadTitlesEN
	if zh {
		titles = leadTitlesZH
	}
	for k := range n {
		created := ago(r, g.now, 365*day)
		status := weighted(r, []string{"open", "qualified", "won", "lost"}, []int{35, 25, 20, 20})
		if i == 1 && k == 0 {
			status = "open"
		}
		g.leadNo++
		g.next.lead++
		c.leads = append(c.leads, model.Lead{
			ID:         g.next.lead,
			ExternalID: fmt.Sprintf("demo-lead-%07d", g.leadNo),
			ContactID:  &contactID,
			Title:      pick(r, titles),
			Status:     status,
			Source:     pick(r, leadSources),
			CreatedAt:  created,
			UpdatedAt:  between(r, created, g.now),
		})
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
