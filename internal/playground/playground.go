// Package playground builds the demo agent workbench's conversations: for
// each demo visitor, the sidebar URL exactly as Easemob Kefu would build it
// for the demo integration, with every param except easemobId and
// visitorImId DES-encrypted under the integration's key.
package playground

import (
	"context"
	"fmt"
	"net/url"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/paramcrypt"
	"github.com/crmlens/crmlens/internal/seed"
)

// Conversations is the number of demo conversations listed.
const Conversations = 8

// Demo agent and tenant, as Easemob's paid add-on params would name them.
const (
	demoEasemobID = "kefuchannelapp-demo"
	demoTenantID  = "10001"
	demoAgentID   = "agent-demo-1"
	demoAgentName = "演示坐席 Demo Agent"
	demoAgentMail = "agent@demo.crmlens.invalid"
	// demoServiceNumber is the IM service number Easemob sends as `to` (and
	// serviceNumber) for App and web visitors. Source: easemob/kefu-agent-ios
	// KFiFrameView.m, getParOther: "to=kefuchannelimid_248171",
	// "serviceNumber=kefuchannelimid_248171", "originType=app".
	demoServiceNumber = "kefuchannelimid_10001"
	// demoOfficialAccount is the original id of a WeChat official account:
	// what `to` holds for WeChat visitors (gh_...).
	demoOfficialAccount = "gh_crmlens_demo"
)

// Conversation is one demo conversation: the visitor's IM id, name and
// channel, a preview of its last message, and the sidebar URL Easemob
// would open beside it.
type Conversation struct {
	ID          string
	VisitorName string
	Channel     string
	Preview     string
	SidebarURL  string
}

// Playground lists demo conversations.
type Playground struct {
	db           *gorm.DB
	integrations *integration.Service
}

// New returns a Playground reading db, opening keys with integrations.
func New(db *gorm.DB, integrations *integration.Service) *Playground {
	return &Playground{db: db, integrations: integrations}
}

// List returns the demo conversations with their sidebar URLs, or a
// NotFound error when no demo data is loaded.
func (p *Playground) List(ctx context.Context) ([]Conversation, error) {
	in, err := p.integrations.Get(ctx, seed.DemoSlug)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil, apperr.New(apperr.NotFound, "demo_not_loaded",
			"no demo data is loaded: start with `crmlens serve --demo` or run `crmlens seed --demo`")
	}
	if err != nil {
		return nil, fmt.Errorf("find demo integration: %w", err)
	}
	convs, err := seed.Conversations(ctx, p.db, Conversations)
	if err != nil {
		return nil, err
	}
	keys, err := p.integrations.Keys(in.Integration)
	if err != nil {
		return nil, err
	}
	var cipher *paramcrypt.Cipher
	if len(keys) > 0 {
		if cipher, err = paramcrypt.NewDES(keys[0]); err != nil {
			return nil, fmt.Errorf("demo integration key: %w", err)
		}
	}
	out := make([]Conversation, 0, len(convs))
	for _, cv := range convs {
		out = append(out, Conversation{
			ID:          cv.VisitorImID,
			VisitorName: cv.VisitorName,
			Channel:     cv.Channel,
			Preview:     cv.Preview,
			SidebarURL:  SidebarURL(in.Slug, cipher, cv),
		})
	}
	return out, nil
}

// SidebarURL is the URL Easemob would open for cv: system params in clear,
// the rest encrypted when cipher is set.
func SidebarURL(slug string, cipher *paramcrypt.Cipher, cv seed.Conversation) string {
	q := url.Values{}
	q.Set("easemobId", demoEasemobID)
	q.Set("visitorImId", cv.VisitorImID)
	secret := map[string]string{
		"tenantId":  demoTenantID,
		"agentId":   demoAgentID,
		"agentName": demoAgentName,
		"email":     demoAgentMail,
		"nickname":  cv.VisitorName,
	}
	// Easemob sends `to` for every conversation: the official account's
	// original id for WeChat visitors, else the IM service number (which
	// says nothing of the channel; crmlens keeps such visitors on easemob).
	secret["to"], secret["serviceNumber"], secret["originType"] = demoServiceNumber, demoServiceNumber, "app"
	if cv.Channel == "wechat" {
		secret["to"], secret["originType"] = demoOfficialAccount, "weixin"
	}
	for k, v := range secret {
		if cipher != nil {
			v = cipher.Encrypt(v)
		}
		q.Set(k, v)
	}
	return "/sidebar/" + url.PathEscape(slug) + "?" + q.Encode()
}
