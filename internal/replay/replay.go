// Package replay makes single-use tokens single-use across every crmlens
// instance that shares a database: a signed link's jti is recorded in
// used_tokens, whose unique key (integration_id, jti) lets exactly one insert
// win, however many instances race.
//
// Rows are kept until their token has expired (plus a minute's margin) and
// are then swept now and then by Use itself. A token's own exp check (the
// signed adapter refuses a token more than a few seconds past exp) keeps a
// swept jti from being accepted again.
package replay

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/model"
)

// CodeTokenReplayed is the error code of a token id used before.
const CodeTokenReplayed = "token_replayed"

// MaxTokenID bounds a token id (used_tokens.jti holds 128 characters).
const MaxTokenID = 128

// Sweep tuning: Use deletes expired rows on every SweepEvery-th call and
// whenever SweepInterval has passed since the last sweep; a row is expired
// once its expiry is Grace in the past.
const (
	SweepEvery    = 100
	SweepInterval = time.Minute
	Grace         = time.Minute
)

// Store records used token ids in the database.
type Store struct {
	db  *gorm.DB
	now func() time.Time

	mu        sync.Mutex
	calls     int
	lastSweep time.Time
}

// New returns a Store over db (opened with TranslateError, as
// internal/database does); now is the clock (nil: time.Now).
func New(db *gorm.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

// Use records that integrationID's token jti, valid until expires, has been
// used. It returns an Unauthorized *apperr.Error with CodeTokenReplayed when
// it was used before, through this instance or any other.
func (s *Store) Use(ctx context.Context, integrationID int64, jti string, expires time.Time) error {
	if jti == "" || utf8.RuneCountInString(jti) > MaxTokenID {
		return fmt.Errorf("replay: token id must be 1 to %d characters", MaxTokenID)
	}
	if s.sweepDue() {
		// Best effort: a failed sweep leaves rows for the next one.
		_, _ = s.Sweep(ctx)
	}
	// Keep the row at least Grace, so that a sweep cannot forget a token
	// that some clock still considers valid.
	if now := s.now(); expires.Before(now) {
		expires = now
	}
	row := model.UsedToken{IntegrationID: integrationID, JTI: jti, ExpiresAt: expires.UTC()}
	err := s.db.WithContext(ctx).Create(&row).Error
	switch {
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return apperr.New(apperr.Unauthorized, CodeTokenReplayed,
			"this signed link was already used; ask the platform for a new one")
	case err != nil:
		return fmt.Errorf("record used token: %w", err)
	}
	return nil
}

// Sweep deletes the rows of tokens expired more than Grace ago and returns
// how many it deleted.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	cutoff := s.now().UTC().Add(-Grace)
	res := s.db.WithContext(ctx).Where("expires_at < ?", cutoff).Delete(&model.UsedToken{})
	if res.Error != nil {
		return 0, fmt.Errorf("sweep used tokens: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// sweepDue counts a call and says whether this one should sweep.
func (s *Store) sweepDue() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	now := s.now()
	if s.calls%SweepEvery == 0 || now.Sub(s.lastSweep) >= SweepInterval {
		s.lastSweep = now
		return true
	}
	return false
}
