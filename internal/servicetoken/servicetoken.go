// Package servicetoken issues and checks the tokens machines use to call
// crmlens's service API (today: a CRM pushing its records to
// /api/v1/sync, docs/sync.md), as `Authorization: Bearer crml_sync_...`.
//
// A token is 32 random bytes, base64url without padding, after a prefix
// that names its scope (crml_sync_), so that a person or a secret scanner
// recognizes one. Only its SHA-256 is stored: Authenticate hashes what it is
// given and looks the hash up through the table's unique index, so no
// comparison of secrets runs in Go at all (the hash is the index key; a
// timing difference in the lookup reveals only the hash's prefix, which
// does not help find a token). Every create, revoke and use is an audit
// event whose actor is the token's name (Actor).
package servicetoken

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/model"
)

// Scope is what a token may do.
type Scope string

// ScopeSync may write CRM records through /api/v1/sync and nothing else.
const ScopeSync Scope = "sync"

// Scopes lists the scopes a token can have.
var Scopes = []Scope{ScopeSync}

// Prefix starts every service token; the scope and "_" follow it.
const Prefix = "crml_"

// Error codes of Authenticate, Create and Revoke. CodeUnauthorized and
// CodeForbidden are the codes the sidebar and admin tokens use too
// (internal/sessiontoken), so a client reads one set of codes.
const (
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeRevoked      = "token_revoked"
	CodeInvalidName  = "invalid_name"
	CodeInvalidScope = "invalid_scope"
	CodeNameTaken    = "token_name_taken"
	CodeNotFound     = "token_not_found"
)

// Audit actions of tokens' lives; sync.upsert and sync.delete, their uses,
// are the importer's (internal/audit).
const (
	ActionCreate = audit.ActionTokenCreate
	ActionRevoke = audit.ActionTokenRevoke
)

// touchEvery bounds how often Authenticate writes a token's last_used_at.
const touchEvery = time.Minute

// randomBytes is a token's length before encoding.
const randomBytes = 32

// Token is a service token as listed: never its secret or hash.
type Token struct {
	Name       string
	Scope      Scope
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Actor is the audit actor of everything a token does or has done to it:
// "token:" and its name, so that `crmlens audit export --actor token:NAME`
// finds its whole life.
func (t Token) Actor() string { return Actor(t.Name) }

// Actor is the audit actor of the token named name.
func Actor(name string) string { return "token:" + name }

// Store keeps service tokens in the database.
type Store struct {
	db  *gorm.DB
	now func() time.Time
}

// NewStore returns a Store on db; its times come from db's clock
// (gorm.Config.NowFunc) in UTC.
func NewStore(db *gorm.DB) *Store {
	now := func() time.Time { return time.Now().UTC() }
	if db.NowFunc != nil {
		now = func() time.Time { return db.NowFunc().UTC() }
	}
	return &Store{db: db, now: func() time.Time { return now().Truncate(time.Millisecond) }}
}

// namePattern is what a token's name may be: it is typed on command lines
// and shown as an audit actor.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

func validateName(name string) error {
	if !namePattern.MatchString(name) {
		return apperr.OnField(apperr.New(apperr.Invalid, CodeInvalidName,
			"a token name must be 1 to 64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit (e.g. crm-nightly)"), "name")
	}
	return nil
}

// ParseScope checks a scope's name.
func ParseScope(s string) (Scope, error) {
	for _, sc := range Scopes {
		if string(sc) == s {
			return sc, nil
		}
	}
	names := make([]string, len(Scopes))
	for i, sc := range Scopes {
		names[i] = string(sc)
	}
	return "", apperr.OnField(apperr.New(apperr.Invalid, CodeInvalidScope,
		"unknown token scope %q: the scopes are %s", truncate(s, 40), strings.Join(names, ", ")), "scope")
}

// hashOf is the stored form of a token.
func hashOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Create makes a token named name with scope and returns it with its
// secret, which is stored nowhere: the caller shows it once. by is who
// created it (the audit detail "by": "cli", an admin's email), recorded in
// the same transaction.
func (s *Store) Create(ctx context.Context, name string, scope Scope, by string) (Token, string, error) {
	if err := validateName(name); err != nil {
		return Token{}, "", err
	}
	if _, err := ParseScope(string(scope)); err != nil {
		return Token{}, "", err
	}
	raw := make([]byte, randomBytes)
	if _, err := rand.Read(raw); err != nil {
		return Token{}, "", fmt.Errorf("make a token: %w", err)
	}
	secret := Prefix + string(scope) + "_" + base64.RawURLEncoding.EncodeToString(raw)
	row := model.ServiceToken{Name: name, Scope: string(scope), TokenHash: hashOf(secret), CreatedAt: s.now()}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&model.ServiceToken{}).Where("name = ?", name).Count(&n).Error; err != nil {
			return fmt.Errorf("look up token %s: %w", name, err)
		}
		if n > 0 {
			return nameTaken(name)
		}
		if err := tx.Create(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return nameTaken(name)
			}
			return fmt.Errorf("create token %s: %w", name, err)
		}
		return record(ctx, tx, ActionCreate, name, map[string]string{"scope": string(scope), "by": by})
	})
	if err != nil {
		return Token{}, "", err
	}
	return tokenOf(row), secret, nil
}

func nameTaken(name string) error {
	return apperr.OnField(apperr.New(apperr.Conflict, CodeNameTaken,
		"a token named %s already exists (revoked tokens keep their name): choose another name", name), "name")
}

// List returns every token, revoked ones too, by name.
func (s *Store) List(ctx context.Context) ([]Token, error) {
	var rows []model.ServiceToken
	if err := s.db.WithContext(ctx).Order("name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list service tokens: %w", err)
	}
	out := make([]Token, len(rows))
	for i, r := range rows {
		out[i] = tokenOf(r)
	}
	return out, nil
}

// Revoke stops the token named name from working, at once. Revoking a
// revoked token changes nothing and is not an error. by is who revoked it,
// as for Create.
func (s *Store) Revoke(ctx context.Context, name, by string) (Token, error) {
	var row model.ServiceToken
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("name = ?", name).Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.OnField(apperr.New(apperr.NotFound, CodeNotFound,
					"no token is named %q: `crmlens token list` shows them", truncate(name, 80)), "name")
			}
			return fmt.Errorf("look up token %s: %w", name, err)
		}
		if row.RevokedAt != nil {
			return nil
		}
		now := s.now()
		if err := tx.Model(&model.ServiceToken{}).Where("id = ? AND revoked_at IS NULL", row.ID).Update("revoked_at", now).Error; err != nil {
			return fmt.Errorf("revoke token %s: %w", name, err)
		}
		row.RevokedAt = &now
		return record(ctx, tx, ActionRevoke, name, map[string]string{"scope": row.Scope, "by": by})
	})
	if err != nil {
		return Token{}, err
	}
	return tokenOf(row), nil
}

// FromHeader returns the token of an Authorization header value
// ("Bearer crml_sync_..."), or an Unauthorized error naming what to send.
func FromHeader(header string) (string, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", missing()
	}
	return strings.TrimSpace(token), nil
}

// Looks says s has the form of a service token (its prefix), so that other
// routes can answer "this is a service token" instead of "invalid session".
func Looks(s string) bool { return strings.HasPrefix(s, Prefix) }

func missing() error {
	return apperr.New(apperr.Unauthorized, CodeUnauthorized,
		"send a service token as Authorization: Bearer crml_sync_...; an admin creates one with `crmlens token create --name NAME --scope sync`")
}

// Authenticate returns the token whose secret is token when it may act
// with scope. Unknown or malformed tokens are Unauthorized
// (CodeUnauthorized), revoked ones Unauthorized with CodeRevoked, a valid
// token of another scope Forbidden (CodeForbidden). It writes the token's
// last_used_at when the stored one is a minute old or more, so a busy
// token costs one indexed read per request.
func (s *Store) Authenticate(ctx context.Context, token string, scope Scope) (Token, error) {
	if !Looks(token) || len(token) > 128 {
		return Token{}, missing()
	}
	var row model.ServiceToken
	err := s.db.WithContext(ctx).Where("token_hash = ?", hashOf(token)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Token{}, apperr.New(apperr.Unauthorized, CodeUnauthorized,
			"this service token is not known to crmlens; check it was copied whole, or ask an admin for a new one (`crmlens token create`)")
	}
	if err != nil {
		return Token{}, fmt.Errorf("look up a service token: %w", err)
	}
	t := tokenOf(row)
	if row.RevokedAt != nil {
		return t, apperr.New(apperr.Unauthorized, CodeRevoked,
			"service token %s was revoked on %s; ask an admin for a new one", row.Name, row.RevokedAt.UTC().Format(time.RFC3339))
	}
	if Scope(row.Scope) != scope {
		return t, apperr.New(apperr.Forbidden, CodeForbidden,
			"service token %s has scope %s and cannot be used here (scope %s is needed)", row.Name, row.Scope, scope)
	}
	now := s.now()
	if row.LastUsedAt == nil || now.Sub(*row.LastUsedAt) >= touchEvery {
		// Conditional, so that instances racing on one token write once.
		err := s.db.WithContext(ctx).Model(&model.ServiceToken{}).
			Where("id = ? AND (last_used_at IS NULL OR last_used_at <= ?)", row.ID, now.Add(-touchEvery)).
			Update("last_used_at", now).Error
		if err != nil {
			return Token{}, fmt.Errorf("note the use of service token %s: %w", row.Name, err)
		}
		t.LastUsedAt = &now
	}
	return t, nil
}

func record(ctx context.Context, tx *gorm.DB, action, name string, detail map[string]string) error {
	if err := audit.New(tx).Record(ctx, audit.Event{Action: action, Actor: Actor(name), Detail: detail}); err != nil {
		return fmt.Errorf("audit token %s: %w", name, err)
	}
	return nil
}

func tokenOf(r model.ServiceToken) Token {
	return Token{Name: r.Name, Scope: Scope(r.Scope), CreatedAt: r.CreatedAt.UTC(), LastUsedAt: utc(r.LastUsedAt), RevokedAt: utc(r.RevokedAt)}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
