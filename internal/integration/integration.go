// Package integration manages integrations: a slug (the secret end of the
// sidebar URL), the platform kind, its keys (sealed at rest, rotated with a
// grace period), the origins allowed to frame the sidebar, the kind's
// options, and the protection level all of that amounts to.
package integration

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/keyring"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/platforms"
)

// Input is what an admin gives to create an integration.
type Input struct {
	Slug string // empty: an unguessable one is generated
	Kind string
	Name string
	Key  string // empty: generated for kinds that need one (unless NoKey)
	// NoKey stores no key: a platform's mode without one (Easemob's, where
	// every parameter travels in clear). Only for platforms whose key is
	// optional (adapter.KeyOptional; chatwoot has no key anyway); with Key
	// set it is an error.
	NoKey   bool
	Origins []string
	Options Options
	// APIToken lets crmlens ask the platform's API (Chatwoot).
	APIToken string
}

// Service manages integrations in a database.
type Service struct {
	db        *gorm.DB
	keys      *keyring.Keyring
	platforms *platforms.Registry
	grace     time.Duration
	now       func() time.Time
}

// New returns a Service over db sealing secrets with keys, for the
// platforms of reg. grace is how long a rotated-out key stays valid; now is
// the clock (nil: time.Now).
func New(db *gorm.DB, keys *keyring.Keyring, reg *platforms.Registry, grace time.Duration, now func() time.Time) *Service {
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	return &Service{db: db, keys: keys, platforms: reg, grace: grace, now: now}
}

// Platforms is the registry the Service knows platforms from.
func (s *Service) Platforms() *platforms.Registry { return s.platforms }

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,63}$`)

// Error codes.
const (
	CodeNotFound = "integration_not_found"
	// CodeDisabled refuses a sidebar session of a disabled integration.
	CodeDisabled = "integration_disabled"
)

// Audit actions of the lifecycle of an integration.
const (
	ActionDisable = "integration.disable"
	ActionEnable  = "integration.enable"
	ActionDelete  = "integration.delete"
)

// Create validates in and stores the integration with its audit record
// (record, when not nil). Nothing is written when any field is wrong. It
// returns the row and the key in clear (generated when in.Key was empty and
// the kind needs one), to show the admin once.
func (s *Service) Create(ctx context.Context, in Input, record audit.OnTx[model.Integration]) (model.Integration, string, error) {
	p, err := s.platform(in.Kind)
	if err != nil {
		return model.Integration{}, "", err
	}
	key := in.Key
	if in.NoKey {
		if err := s.validateNoKey(p, in); err != nil {
			return model.Integration{}, "", err
		}
	} else if key == "" && p.Spec().Key != adapter.KeyNone {
		if key, err = newKey(p); err != nil {
			return model.Integration{}, "", err
		}
	}
	if key != "" || p.Spec().Key == adapter.KeyRequired {
		if err := p.ValidateKey(key); err != nil {
			return model.Integration{}, "", err
		}
	}
	origins, err := NormalizeOrigins(in.Origins)
	if err != nil {
		return model.Integration{}, "", err
	}
	if err := validateOptions(p, in.Options, key != ""); err != nil {
		return model.Integration{}, "", err
	}
	if in.Options.AgentActions == "" {
		// New integrations let agents nothing vouches for only read; the
		// admin opens search and link for them explicitly.
		in.Options.AgentActions = AgentActionsRead
	}
	slug := in.Slug
	if slug == "" {
		slug = NewSlug()
	} else if err := validateSlug(slug); err != nil {
		return model.Integration{}, "", err
	}
	sealedKey, err := s.keys.Seal(key)
	if err != nil {
		return model.Integration{}, "", err
	}
	sealedToken, err := s.keys.Seal(in.APIToken)
	if err != nil {
		return model.Integration{}, "", err
	}
	originsJSON, _ := json.Marshal(origins)
	if len(in.Name) > 128 || unsafeText(in.Name) {
		return model.Integration{}, "", apperr.OnField(apperr.New(apperr.Invalid, "invalid_name",
			"the name must be at most 128 characters, without control or bidirectional-override characters"), "name")
	}
	row := model.Integration{Slug: slug, Kind: in.Kind, Name: in.Name, Key: sealedKey, APIToken: sealedToken,
		Origins: string(originsJSON), Options: in.Options.Encode()}
	if row.Name == "" {
		row.Name = in.Kind
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.New(apperr.Conflict, "slug_taken", "an integration with the slug %q already exists", slug)
			}
			return fmt.Errorf("store integration: %w", err)
		}
		return recordOn(tx, record, row)
	})
	if err != nil {
		return model.Integration{}, "", err
	}
	return row, key, nil
}

// Get returns the integration with slug, its options parsed and its
// platform found (Open), or a NotFound error.
func (s *Service) Get(ctx context.Context, slug string) (Integration, error) {
	row, err := s.row(ctx, slug)
	if err != nil {
		return Integration{}, err
	}
	return s.Open(row)
}

func (s *Service) row(ctx context.Context, slug string) (model.Integration, error) {
	var in model.Integration
	err := s.db.WithContext(ctx).Where("slug = ?", slug).Take(&in).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return in, apperr.New(apperr.NotFound, CodeNotFound,
			"no integration has the slug %q; check the URL configured in the platform", truncate(slug, 64))
	}
	if err != nil {
		return in, fmt.Errorf("find integration: %w", err)
	}
	return in, nil
}

// platform returns the registered platform of kind, or an invalid_kind
// error naming the kinds there are.
func (s *Service) platform(kind string) (adapter.Platform, error) {
	if p, ok := s.platforms.Get(kind); ok {
		return p, nil
	}
	return nil, apperr.New(apperr.Invalid, "invalid_kind", "kind %q is not one of %s", truncate(kind, 32), strings.Join(s.platforms.Kinds(), ", "))
}

// List returns every integration, ordered by slug.
func (s *Service) List(ctx context.Context) ([]model.Integration, error) {
	var rows []model.Integration
	if err := s.db.WithContext(ctx).Order("slug").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	return rows, nil
}

// Keys returns the keys valid now for in, current first, then the previous
// one while its grace period lasts.
func (s *Service) Keys(in model.Integration) ([]string, error) {
	cur, err := s.keys.Open(in.Key)
	if err != nil {
		return nil, fmt.Errorf("integration %s key: %w", in.Slug, err)
	}
	out := []string{}
	if cur != "" {
		out = append(out, cur)
	}
	if in.PreviousKey != "" && in.PreviousKeyExpiresAt != nil && s.now().Before(*in.PreviousKeyExpiresAt) {
		prev, err := s.keys.Open(in.PreviousKey)
		if err != nil {
			return nil, fmt.Errorf("integration %s previous key: %w", in.Slug, err)
		}
		out = append(out, prev)
	}
	return out, nil
}

// APIToken returns in's platform API token in clear.
func (s *Service) APIToken(in model.Integration) (string, error) {
	return s.keys.Open(in.APIToken)
}

// Reveal returns the current key of slug in clear. The caller audits it.
func (s *Service) Reveal(ctx context.Context, slug string) (model.Integration, string, error) {
	in, err := s.row(ctx, slug)
	if err != nil {
		return in, "", err
	}
	key, err := s.keys.Open(in.Key)
	return in, key, err
}

// Masked returns in's current key masked for display.
func (s *Service) Masked(in model.Integration) string {
	key, err := s.keys.Open(in.Key)
	if err != nil {
		return "(cannot be decrypted with this master key)"
	}
	return keyring.Mask(key)
}

// RotateKey makes key (generated when empty) the current key of slug, with
// its audit record (record, when not nil); the old one stays valid for
// grace (the Service's default when negative). It returns the new key in
// clear.
func (s *Service) RotateKey(ctx context.Context, slug, key string, grace time.Duration, record audit.OnTx[model.Integration]) (model.Integration, string, error) {
	if grace < 0 {
		grace = s.grace
	}
	var out model.Integration
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var in model.Integration
		if err := tx.Where("slug = ?", slug).Take(&in).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.New(apperr.NotFound, CodeNotFound, "no integration has the slug %q", truncate(slug, 64))
			}
			return err
		}
		p, err := s.platform(in.Kind)
		if err != nil {
			return err
		}
		if key == "" {
			if key, err = newKey(p); err != nil {
				return err
			}
		}
		if err := p.ValidateKey(key); err != nil {
			return err
		}
		sealed, err := s.keys.Seal(key)
		if err != nil {
			return err
		}
		until := s.now().Add(grace)
		res := tx.Model(&model.Integration{}).Where("id = ? AND updated_at = ?", in.ID, in.UpdatedAt).Updates(map[string]any{
			"key": sealed, "previous_key": in.Key, "previous_key_expires_at": until, "updated_at": s.now(),
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.New(apperr.Conflict, "concurrent_change", "the integration changed meanwhile; retry")
		}
		if err := tx.Where("id = ?", in.ID).Take(&out).Error; err != nil {
			return err
		}
		return recordOn(tx, record, out)
	})
	if err != nil {
		return model.Integration{}, "", err
	}
	return out, key, nil
}

// Update changes slug's slug, origins, options or API token; nil fields stay.
type Update struct {
	Name     *string
	NewSlug  *string
	Origins  *[]string
	Options  *Options
	APIToken *string
}

// Apply stores u for slug with its audit record (record, when not nil),
// validating everything before writing.
func (s *Service) Apply(ctx context.Context, slug string, u Update, record audit.OnTx[model.Integration]) (model.Integration, error) {
	opened, err := s.Get(ctx, slug)
	if err != nil {
		return opened.Integration, err
	}
	in := opened.Integration
	changes := map[string]any{"updated_at": s.now()}
	if u.Name != nil {
		name := strings.TrimSpace(*u.Name)
		if name == "" || len(name) > 128 || unsafeText(name) {
			return in, apperr.OnField(apperr.New(apperr.Invalid, "invalid_name",
				"the name must be 1 to 128 characters, without control or bidirectional-override characters"), "name")
		}
		changes["name"] = name
	}
	if u.NewSlug != nil {
		if err := validateSlug(*u.NewSlug); err != nil {
			return in, err
		}
		changes["slug"] = *u.NewSlug
	}
	if u.Origins != nil {
		origins, err := NormalizeOrigins(*u.Origins)
		if err != nil {
			return in, err
		}
		b, _ := json.Marshal(origins)
		changes["origins"] = string(b)
	}
	if u.Options != nil {
		p, err := s.platform(in.Kind)
		if err != nil {
			return in, err
		}
		if err := validateOptions(p, *u.Options, in.Key != ""); err != nil {
			return in, err
		}
		if u.Options.AgentActions == "" {
			// Options given without it keep the stored choice.
			u.Options.AgentActions = opened.Options.AgentActions
		}
		changes["options"] = u.Options.Encode()
	}
	if u.APIToken != nil {
		sealed, err := s.keys.Seal(*u.APIToken)
		if err != nil {
			return in, err
		}
		changes["api_token"] = sealed
	}
	var out model.Integration
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&model.Integration{}).Where("id = ?", in.ID).Updates(changes).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.New(apperr.Conflict, "slug_taken", "an integration with that slug already exists")
			}
			return fmt.Errorf("update integration: %w", err)
		}
		if err := tx.Where("id = ?", in.ID).Take(&out).Error; err != nil {
			return fmt.Errorf("read the updated integration: %w", err)
		}
		return recordOn(tx, record, out)
	})
	if err != nil {
		return in, err
	}
	return out, nil
}

// recordOn runs record on tx, naming the change in its error.
func recordOn(tx *gorm.DB, record audit.OnTx[model.Integration], row model.Integration) error {
	if err := record.Run(tx, row); err != nil {
		return fmt.Errorf("record the change of integration %d: %w", row.ID, err)
	}
	return nil
}

// OriginsOf returns in's allowed frame origins.
func OriginsOf(in model.Integration) []string {
	var origins []string
	_ = json.Unmarshal([]byte(in.Origins), &origins)
	return origins
}

func validateSlug(slug string) error {
	if !slugPattern.MatchString(slug) {
		return apperr.New(apperr.Invalid, "invalid_slug",
			"slug %q must be 3 to 64 characters of a-z, 0-9 and '-', starting with a letter or digit", truncate(slug, 80))
	}
	return nil
}

// validateNoKey checks an Input that asks for no key.
// (the platform's Validate says which options need a key).
func (s *Service) validateNoKey(p adapter.Platform, in Input) error {
	switch {
	case in.Key != "":
		return apperr.New(apperr.Invalid, "invalid_key", "give a key or ask for none, not both")
	case p.Spec().Key == adapter.KeyRequired:
		return apperr.New(apperr.Invalid, "invalid_key", "a %s integration cannot work without a key; only %s have a mode without one",
			in.Kind, strings.Join(s.keyOptional(), ", "))
	}
	return nil
}

// Framing says in words who may frame the sidebar of an integration with
// origins: the sidebar page's frame-ancestors are 'self' and these.
func Framing(origins []string) string {
	if len(origins) == 0 {
		return "no origin set: no platform can show this sidebar, only crmlens's own pages can frame it; add the platform's origin"
	}
	return "framed only by " + strings.Join(origins, ", ") + " (and crmlens's own pages)"
}

// newKey generates a key for p, or says where to copy it from when the
// platform makes its own (Spec.KeyFromPlatform).
func newKey(p adapter.Platform) (string, error) {
	sp := p.Spec()
	if !sp.KeyFromPlatform {
		return GenerateKey(p), nil
	}
	alt := ""
	if sp.Key == adapter.KeyOptional {
		alt = ", or ask for none (which authenticates nothing)"
	}
	return "", apperr.OnField(apperr.New(apperr.Invalid, "invalid_key", "%s makes its own key, which crmlens cannot generate: give %s%s",
		sp.Title, sp.KeyHelp, alt), "key")
}

// GenerateKey returns a new random key fit for p (Spec.NewKey), from
// crypto/rand.
func GenerateKey(p adapter.Platform) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	if f := p.Spec().NewKey; f != nil {
		return f(b)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// NormalizeOrigins checks that each origin is scheme://host[:port] and
// returns them in that form.
func NormalizeOrigins(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, o := range in {
		u, err := url.Parse(strings.TrimSpace(o))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.ContainsAny(o, " ;,'\"") {
			return nil, apperr.New(apperr.Invalid, "invalid_origin",
				"origin %q is not a URL origin like https://kefu.easemob.com (scheme and host, no path)", truncate(o, 100))
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
}

// NewSlug returns an unguessable slug: 128 random bits in lowercase base32.
func NewSlug() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// unsafeText reports whether s holds a NUL or other control character, or
// a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069),
// which would make a name display as something else than it is.
func unsafeText(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
			return true
		}
	}
	return false
}

// CheckEnabled returns a Forbidden error with CodeDisabled when in is
// disabled: its sidebar serves no session until an admin enables it.
func CheckEnabled(in model.Integration) error {
	if in.DisabledAt == nil {
		return nil
	}
	return apperr.New(apperr.Forbidden, CodeDisabled,
		"integration %s was disabled by an admin on %s; the sidebar serves no visitor until it is enabled again (crmlens integration enable --slug %s)",
		in.Slug, in.DisabledAt.UTC().Format(time.RFC3339), in.Slug)
}

// SetDisabled disables (disabled true) or enables the integration slug, with
// its audit record (record, when not nil, run only when the state changes).
// It returns the row and whether it changed: disabling a disabled
// integration changes nothing.
func (s *Service) SetDisabled(ctx context.Context, slug string, disabled bool, record audit.OnTx[model.Integration]) (model.Integration, bool, error) {
	var out model.Integration
	changed := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("slug = ?", slug).Take(&out).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.New(apperr.NotFound, CodeNotFound, "no integration has the slug %q", truncate(slug, 64))
			}
			return fmt.Errorf("find integration: %w", err)
		}
		if (out.DisabledAt != nil) == disabled {
			return nil
		}
		var at *time.Time
		if disabled {
			now := s.now()
			at = &now
		}
		res := tx.Model(&model.Integration{}).Where("id = ?", out.ID).Updates(map[string]any{"disabled_at": at, "updated_at": s.now()})
		if res.Error != nil {
			return fmt.Errorf("update integration: %w", res.Error)
		}
		var updated model.Integration // a fresh row: a NULL leaves a set field as it was
		if err := tx.Where("id = ?", out.ID).Take(&updated).Error; err != nil {
			return fmt.Errorf("read the updated integration: %w", err)
		}
		out, changed = updated, true
		return recordOn(tx, record, out)
	})
	if err != nil {
		return model.Integration{}, false, err
	}
	return out, changed, nil
}

// Deleted says what Delete removed.
type Deleted struct {
	Integration model.Integration
	// Visitors is how many visitors of the integration were deleted, with
	// their links to contacts and "not this person" rejections. Contacts
	// are kept.
	Visitors int64
}

// Delete removes the integration slug, its visitors (their links and
// rejections: a platform's visitor ids mean nothing without it), its used
// signed-token ids and its sessions' reach, in one transaction with its
// audit record (record, when not nil). The audit trail is kept whole: its
// events keep the integration's id, and the record of the deletion names
// the slug, kind and name. Contacts, layouts and agents are kept. To keep
// the visitors' links, disable the integration instead.
func (s *Service) Delete(ctx context.Context, slug string, record audit.OnTx[Deleted]) (Deleted, error) {
	var out Deleted
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		in := &out.Integration
		if err := tx.Where("slug = ?", slug).Take(in).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.New(apperr.NotFound, CodeNotFound, "no integration has the slug %q", truncate(slug, 64))
			}
			return fmt.Errorf("find integration: %w", err)
		}
		if err := tx.Model(&model.Visitor{}).Where("integration_id = ?", in.ID).Count(&out.Visitors).Error; err != nil {
			return fmt.Errorf("count visitors: %w", err)
		}
		visitors := "SELECT id FROM visitors WHERE integration_id = ?"
		for _, q := range []string{
			"DELETE FROM visitor_rejections WHERE visitor_id IN (" + visitors + ")",
			"DELETE FROM reachable_contacts WHERE visitor_id IN (" + visitors + ")",
			"DELETE FROM visitors WHERE integration_id = ?",
			"DELETE FROM used_tokens WHERE integration_id = ?",
			"DELETE FROM integrations WHERE id = ?",
		} {
			if err := tx.Exec(q, in.ID).Error; err != nil {
				return fmt.Errorf("delete integration %s: %w", in.Slug, err)
			}
		}
		if err := record.Run(tx, out); err != nil {
			return fmt.Errorf("record the deletion of integration %d: %w", in.ID, err)
		}
		return nil
	})
	if err != nil {
		return Deleted{}, err
	}
	return out, nil
}

// DeletedDetail is the audit detail of a deletion: what the deleted
// integration was, since its row is gone.
func DeletedDetail(d Deleted) map[string]string {
	return map[string]string{"slug": d.Integration.Slug, "kind": d.Integration.Kind, "name": d.Integration.Name,
		"visitors": strconv.FormatInt(d.Visitors, 10)}
}

// keyOptional names the platforms with a mode without a key.
func (s *Service) keyOptional() []string {
	var out []string
	for _, p := range s.platforms.All() {
		if p.Spec().Key == adapter.KeyOptional {
			out = append(out, p.Spec().Title)
		}
	}
	return out
}
