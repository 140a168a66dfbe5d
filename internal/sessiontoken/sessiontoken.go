// Package sessiontoken issues and verifies the sidebar's session JWTs:
// HS256, audience "sidebar", 15 minutes, signed with a key named by the `kid`
// header. Keys live in the signing_keys table, sealed with the master key
// (see internal/keyring), so every instance sharing the database and the
// master key accepts every other instance's tokens, and a copy of the
// database alone cannot mint one.
package sessiontoken

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/model"
)

// Audience of sidebar session tokens.
const Audience = "sidebar"

// TTL is how long a sidebar session token lives.
const TTL = 15 * time.Minute

// Claims are what a sidebar session token carries.
type Claims struct {
	IntegrationID int64 `json:"itg"`
	// IntegrationSlug names the integration for layout scopes.
	IntegrationSlug string `json:"isl,omitempty"`
	VisitorID       int64  `json:"vis"`
	Agent           string `json:"agt,omitempty"`
	// Platform is the integration's kind: the platform whose agents AgentID
	// and AgentEmail name (agents are looked up among that platform's only).
	Platform string `json:"plt,omitempty"`
	// AgentID and AgentEmail are how the platform named the agent, for
	// layout scopes (agent and group layouts). They are set only when the
	// platform vouches for who the agent is (never for Chatwoot, whose
	// context is unsigned and whose API cannot say who is looking); Agent
	// still names the agent, as claimed, for audit lines. Parse drops them
	// from a token without Platform: one issued before agents were scoped to
	// their platform, which may name an agent nothing vouched for.
	AgentID    string `json:"aid,omitempty"`
	AgentEmail string `json:"aem,omitempty"`
	Lang       string `json:"lng,omitempty"`
	// Extra holds params the platform passed beyond identity (e.g. what an
	// app pushed with Easemob's updateVisitorInfoSrc), for layouts to use.
	Extra map[string]string `json:"ext,omitempty"`
	jwt.RegisteredClaims
}

// Sealer seals secrets at rest and opens them (internal/keyring.Keyring).
type Sealer interface {
	Seal(plaintext string) (string, error)
	Open(sealed string) (string, error)
}

// Issuer signs and verifies session tokens.
type Issuer struct {
	db     *gorm.DB
	sealer Sealer
	now    func() time.Time

	mu     sync.RWMutex
	keys   map[string][]byte
	signer string // kid of the key new tokens are signed with

	// verified caches tokens already verified, until they expire: a
	// sidebar makes several calls with one token, and verifying costs more
	// than a lookup. Bounded; emptied when full.
	verifiedMu sync.Mutex
	verified   map[string]Claims
}

// maxVerified bounds the verified-token cache.
const maxVerified = 50_000

// New loads the signing keys from db, opening them with sealer, and creates
// the first one when there is none. now is the clock (nil: time.Now).
func New(ctx context.Context, db *gorm.DB, sealer Sealer, now func() time.Time) (*Issuer, error) {
	if sealer == nil {
		return nil, errors.New("session tokens: no sealer for the signing keys")
	}
	if now == nil {
		now = time.Now
	}
	is := &Issuer{db: db, sealer: sealer, now: now, verified: map[string]Claims{}}
	if err := is.load(ctx); err != nil {
		return nil, err
	}
	if is.signer == "" {
		if err := is.createKey(ctx); err != nil {
			return nil, err
		}
	}
	return is, nil
}

func (is *Issuer) load(ctx context.Context) error {
	var rows []model.SigningKey
	if err := is.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	keys := make(map[string][]byte, len(rows))
	signer := ""
	for _, r := range rows {
		secret, err := is.open(ctx, r)
		if err != nil {
			return err
		}
		keys[r.Kid] = secret
		signer = r.Kid // the newest signs
	}
	is.mu.Lock()
	is.keys, is.signer = keys, signer
	is.mu.Unlock()
	return nil
}

func (is *Issuer) createKey(ctx context.Context) error {
	secret := make([]byte, secretSize)
	kidBytes := make([]byte, 8)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("generate signing key: %w", err)
	}
	if _, err := rand.Read(kidBytes); err != nil {
		return fmt.Errorf("generate signing key id: %w", err)
	}
	sealed, err := is.sealer.Seal(base64.StdEncoding.EncodeToString(secret))
	if err != nil {
		return fmt.Errorf("seal signing key: %w", err)
	}
	row := model.SigningKey{Kid: hex.EncodeToString(kidBytes), Secret: []byte(sealed)}
	if err := is.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store signing key: %w", err)
	}
	// Another instance may have created one at the same moment: reload so all
	// agree on the newest.
	return is.load(ctx)
}

// secretSize is the length of a signing key.
const secretSize = 32

// open returns the signing key of row. A key stored before keys were
// sealed (32 raw bytes) is sealed in place as it is read.
func (is *Issuer) open(ctx context.Context, row model.SigningKey) ([]byte, error) {
	if plain, err := is.sealer.Open(string(row.Secret)); err == nil {
		secret, err := base64.StdEncoding.DecodeString(plain)
		if err != nil || len(secret) != secretSize {
			return nil, fmt.Errorf("signing key %s: not a key once opened", row.Kid)
		}
		return secret, nil
	}
	if len(row.Secret) != secretSize {
		return nil, fmt.Errorf("signing key %s cannot be opened with this master key (CRMLENS_MASTER_KEY): is it the one the other instances use?", row.Kid)
	}
	sealed, err := is.sealer.Seal(base64.StdEncoding.EncodeToString(row.Secret))
	if err != nil {
		return nil, fmt.Errorf("seal signing key %s: %w", row.Kid, err)
	}
	// Only if the row still holds the raw key: another instance may have
	// sealed it already.
	if err := is.db.WithContext(ctx).Model(&model.SigningKey{}).Where("id = ? AND secret = ?", row.ID, row.Secret).
		Update("secret", []byte(sealed)).Error; err != nil {
		return nil, fmt.Errorf("seal signing key %s: %w", row.Kid, err)
	}
	return row.Secret, nil
}

// Issue signs a token for c, filling in audience, times and id. It returns
// the token and its expiry.
func (is *Issuer) Issue(c Claims) (string, time.Time, error) {
	now := is.now()
	exp := now.Add(TTL)
	jti, err := randomID()
	if err != nil {
		return "", time.Time{}, err
	}
	c.RegisteredClaims = jwt.RegisteredClaims{
		Subject:   strconv.FormatInt(c.VisitorID, 10),
		Audience:  jwt.ClaimStrings{Audience},
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-30 * time.Second)),
		ExpiresAt: jwt.NewNumericDate(exp),
		ID:        jti,
	}
	s, err := is.sign(c)
	return s, exp, err
}

// sign signs claims with the newest key, naming it in the kid header.
func (is *Issuer) sign(c jwt.Claims) (string, error) {
	is.mu.RLock()
	kid, secret := is.signer, is.keys[is.signer]
	is.mu.RUnlock()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

func randomID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func (is *Issuer) keyFunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return is.secret(ctx, kid)
	}
}

// Error codes of Parse.
const (
	CodeUnauthorized = "unauthorized"
	CodeExpired      = "token_expired"
)

// Parse verifies a token: HS256 only, audience sidebar, expiry required, a
// known kid. Every failure is an apperr Unauthorized error.
func (is *Issuer) Parse(ctx context.Context, token string) (Claims, error) {
	is.verifiedMu.Lock()
	c, ok := is.verified[token]
	is.verifiedMu.Unlock()
	if ok && c.ExpiresAt != nil && is.now().Before(c.ExpiresAt.Time) {
		return c, nil
	}
	c, err := is.parse(ctx, token)
	if err != nil {
		return Claims{}, err
	}
	is.verifiedMu.Lock()
	if len(is.verified) >= maxVerified {
		clear(is.verified)
	}
	is.verified[token] = c
	is.verifiedMu.Unlock()
	return c, nil
}

func (is *Issuer) parse(ctx context.Context, token string) (Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, is.keyFunc(ctx),
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(is.now),
		jwt.WithLeeway(5*time.Second),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return Claims{}, apperr.Wrap(err, apperr.Unauthorized, CodeExpired, "the sidebar session has expired; reload the page")
	case err != nil:
		return Claims{}, apperr.Wrap(err, apperr.Unauthorized, CodeUnauthorized, "the sidebar session token is missing or invalid; reload the page")
	}
	if c.Platform == "" {
		// Issued by an older version (at most TTL ago): its agent may be
		// one no platform vouched for, so it chooses no layout.
		c.AgentID, c.AgentEmail = "", ""
	}
	return c, nil
}

// secret returns the key named kid, reloading once from the database for a
// kid this instance has not seen (created by another instance).
func (is *Issuer) secret(ctx context.Context, kid string) ([]byte, error) {
	is.mu.RLock()
	s, ok := is.keys[kid]
	is.mu.RUnlock()
	if ok {
		return s, nil
	}
	if kid == "" || len(kid) > 32 {
		return nil, errors.New("token has no usable kid")
	}
	var n int64
	if err := is.db.WithContext(ctx).Model(&model.SigningKey{}).Where("kid = ?", kid).Count(&n).Error; err != nil || n == 0 {
		return nil, errors.New("unknown kid")
	}
	if err := is.load(ctx); err != nil {
		return nil, err
	}
	is.mu.RLock()
	defer is.mu.RUnlock()
	if s, ok := is.keys[kid]; ok {
		return s, nil
	}
	return nil, errors.New("unknown kid")
}
