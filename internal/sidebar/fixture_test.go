package sidebar_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/keyring"
	"github.com/crmlens/crmlens/internal/platforms"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// fixture is what a sidebar.Service needs on db, with one easemob
// integration, "acme".
type fixture struct {
	integrations  *integration.Service
	tokens        *sessiontoken.Issuer
	integrationID int64
}

func newFixture(tb testing.TB, db *gorm.DB) fixture {
	tb.Helper()
	ctx := context.Background()
	keys, err := keyring.New(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	integrations := integration.New(db, keys, platforms.Default(), time.Hour, nil)
	in, _, err := integrations.Create(ctx, integration.Input{Slug: "acme", Kind: "easemob"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tokens, err := sessiontoken.New(ctx, db, keys, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return fixture{integrations: integrations, tokens: tokens, integrationID: in.ID}
}
