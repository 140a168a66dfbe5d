// Package integration creates and lists integrations: a slug (the secret end
// of the sidebar URL), the platform kind, its key and the origins allowed to
// frame the sidebar.
package integration

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/paramcrypt"
)

// Input is what an admin gives to create an integration.
type Input struct {
	Slug    string // empty: an unguessable one is generated
	Kind    string
	Name    string
	Key     string
	Origins []string
}

// Service manages integrations in a database.
type Service struct{ db *gorm.DB }

// New returns a Service over db.
func New(db *gorm.DB) *Service { return &Service{db: db} }

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,63}$`)

// Kinds lists the integration kinds crmlens knows.
var Kinds = []string{model.KindEasemob, model.KindShareCRM, model.KindChatwoot, model.KindSigned}

// Create validates in and stores the integration. Nothing is written when
// any field is wrong.
func (s *Service) Create(ctx context.Context, in Input) (model.Integration, error) {
	if err := validateKind(in.Kind); err != nil {
		return model.Integration{}, err
	}
	if err := ValidateKey(in.Kind, in.Key); err != nil {
		return model.Integration{}, err
	}
	origins, err := NormalizeOrigins(in.Origins)
	if err != nil {
		return model.Integration{}, err
	}
	slug := in.Slug
	if slug == "" {
		slug = NewSlug()
	} else if !slugPattern.MatchString(slug) {
		return model.Integration{}, apperr.New(apperr.Invalid, "invalid_slug",
			"slug %q must be 3 to 64 characters of a-z, 0-9 and '-', starting with a letter or digit", truncate(slug, 80))
	}
	originsJSON, _ := json.Marshal(origins)
	row := model.Integration{Slug: slug, Kind: in.Kind, Name: in.Name, Key: in.Key, Origins: string(originsJSON)}
	if row.Name == "" {
		row.Name = in.Kind
	}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return model.Integration{}, apperr.New(apperr.Conflict, "slug_taken", "an integration with the slug %q already exists", slug)
		}
		return model.Integration{}, fmt.Errorf("store integration: %w", err)
	}
	return row, nil
}

func validateKind(kind string) error {
	for _, k := range Kinds {
		if k == kind {
			return nil
		}
	}
	return apperr.New(apperr.Invalid, "invalid_kind", "kind %q is not one of %s", truncate(kind, 32), strings.Join(Kinds, ", "))
}

// ValidateKey checks key against what kind's platform accepts.
func ValidateKey(kind, key string) error {
	switch kind {
	case model.KindEasemob:
		if key == "" {
			return nil // Easemob without a key sends params in clear
		}
		if _, err := paramcrypt.NewDES(key); err != nil {
			return apperr.New(apperr.Invalid, "invalid_key", "an Easemob key must be longer than 8 characters (Easemob requires it, and DES uses its first 8 bytes)")
		}
	case model.KindShareCRM:
		if _, err := paramcrypt.NewAES(key); err != nil {
			return apperr.New(apperr.Invalid, "invalid_key", "a ShareCRM key must be base64 of 16, 24 or 32 bytes, as ShareCRM's \"Generate Key\" gives")
		}
	case model.KindSigned:
		if len(key) < 32 {
			return apperr.New(apperr.Invalid, "invalid_key", "a signing secret must be at least 32 characters")
		}
	}
	return nil
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
