// Package admin manages the people who administer crmlens: accounts with
// bcrypt-hashed passwords, sign-in and password confirmation for sensitive
// actions.
package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/model"
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// passwordLimits are the params of a password that is too short or too
// long (bcrypt reads at most 72 bytes), for the console to word.
var passwordLimits = []string{"rule", "length", "min", strconv.Itoa(MinPasswordLen), "max", "72"}

// Error codes.
const (
	CodeBadCredentials = "bad_credentials"
	CodeInvalidAdmin   = "invalid_admin"
)

// Service manages admins in a database.
type Service struct {
	db   *gorm.DB
	cost int
}

// New returns a Service over db; cost is bcrypt's (0: bcrypt.DefaultCost).
func New(db *gorm.DB, cost int) *Service {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	return &Service{db: db, cost: cost}
}

// Create adds an admin, or refuses a bad email, a short password or a taken
// email without writing anything.
func (s *Service) Create(ctx context.Context, email, password string) (model.Admin, error) {
	return s.CreateWith(ctx, email, password, nil)
}

// CreateWith is Create that runs fn (when not nil) with the new admin in
// the same transaction, to audit it: both are written or neither. Errors
// name their field (email, password) for forms.
func (s *Service) CreateWith(ctx context.Context, email, password string, fn func(tx *gorm.DB, a model.Admin) error) (model.Admin, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 255 {
		return model.Admin{}, apperr.OnField(apperr.New(apperr.Invalid, CodeInvalidAdmin, "the email is not a valid address"), "email")
	}
	if len([]rune(password)) < MinPasswordLen || len(password) > 72 {
		return model.Admin{}, apperr.OnField(apperr.New(apperr.Invalid, CodeInvalidAdmin, "the password must be %d to 72 characters", MinPasswordLen).With(passwordLimits...), "password")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return model.Admin{}, fmt.Errorf("hash password: %w", err)
	}
	a := model.Admin{Email: email, PasswordHash: string(hash)}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&a).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.OnField(apperr.New(apperr.Conflict, "admin_exists", "an admin with this email already exists"), "email")
			}
			return fmt.Errorf("store admin: %w", err)
		}
		if fn != nil {
			return fn(tx, a)
		}
		return nil
	})
	if err != nil {
		return model.Admin{}, err
	}
	return a, nil
}

// dummyHash is compared against when the email is unknown, so that a wrong
// email and a wrong password take the same time.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("crmlens-timing-equalizer"), bcrypt.DefaultCost)

// Authenticate returns the admin with email and password, or one
// Unauthorized error for any mismatch.
func (s *Service) Authenticate(ctx context.Context, email, password string) (model.Admin, error) {
	var a model.Admin
	err := s.db.WithContext(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return model.Admin{}, badCredentials()
	}
	if err != nil {
		return model.Admin{}, fmt.Errorf("find admin: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password)) != nil {
		return model.Admin{}, badCredentials()
	}
	return a, nil
}

// Confirm checks the password of admin id again, for sensitive actions.
func (s *Service) Confirm(ctx context.Context, id int64, password string) error {
	var a model.Admin
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&a).Error; err != nil {
		return apperr.New(apperr.Unauthorized, CodeBadCredentials, "this admin no longer exists; sign in again").With("rule", "gone")
	}
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password)) != nil {
		return apperr.New(apperr.Unauthorized, CodeBadCredentials, "the password is wrong").With("rule", "confirm")
	}
	return nil
}

func badCredentials() error {
	return apperr.New(apperr.Unauthorized, CodeBadCredentials, "wrong email or password")
}

// ChangePassword sets a new password for admin id after checking the
// current one. A wrong current password is Unauthorized and a bad new one
// Invalid; each names its field for forms. Nothing is written on error.
func (s *Service) ChangePassword(ctx context.Context, id int64, current, next string) error {
	if err := s.Confirm(ctx, id, current); err != nil {
		return apperr.OnField(err, "currentPassword")
	}
	if len([]rune(next)) < MinPasswordLen || len(next) > 72 {
		return apperr.OnField(apperr.New(apperr.Invalid, CodeInvalidAdmin, "the new password must be %d to 72 characters", MinPasswordLen).With(passwordLimits...), "newPassword")
	}
	if next == current {
		return apperr.OnField(apperr.New(apperr.Invalid, CodeInvalidAdmin, "the new password is the current one; choose another").With("rule", "same"), "newPassword")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(next), s.cost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	res := s.db.WithContext(ctx).Model(&model.Admin{}).Where("id = ?", id).Updates(map[string]any{"password_hash": string(hash), "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return fmt.Errorf("store password: %w", res.Error)
	}
	return nil
}

// Stamp names a password hash without revealing it: admin session tokens
// carry it, and one whose stamp is no longer the admin's (the password was
// changed since) is refused. bcrypt salts every hash, so every change gives
// a new stamp.
func Stamp(passwordHash string) string {
	sum := sha256.Sum256([]byte(passwordHash))
	return hex.EncodeToString(sum[:8])
}

// CurrentStamp is the Stamp of admin id's password now; an admin that no
// longer exists is Unauthorized.
func (s *Service) CurrentStamp(ctx context.Context, id int64) (string, error) {
	var a model.Admin
	err := s.db.WithContext(ctx).Select("id", "password_hash").Where("id = ?", id).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", apperr.New(apperr.Unauthorized, CodeSessionEnded, "this admin no longer exists; sign in as another admin")
	}
	if err != nil {
		return "", fmt.Errorf("load admin: %w", err)
	}
	return Stamp(a.PasswordHash), nil
}

// CodeSessionEnded is the error code of an admin session that a password
// change (or the admin's removal) ended.
const CodeSessionEnded = "session_ended"

// FirstEmail is the email of the admin the embedded default creates on its
// first start.
const FirstEmail = "admin@localhost"

// EnsureFirst creates the first admin (FirstEmail, a random password) when
// there is none, and returns the password in clear for the caller to show
// once; created is false, and nothing is written, when an admin exists.
func (s *Service) EnsureFirst(ctx context.Context) (email, password string, created bool, err error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&model.Admin{}).Count(&n).Error; err != nil {
		return "", "", false, fmt.Errorf("count admins: %w", err)
	}
	if n > 0 {
		return "", "", false, nil
	}
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", "", false, fmt.Errorf("generate password: %w", err)
	}
	password = base64.RawURLEncoding.EncodeToString(b) // 20 characters, 120 bits
	if _, err := s.Create(ctx, FirstEmail, password); err != nil {
		return "", "", false, err
	}
	return FirstEmail, password, true, nil
}

// revokedNamespace is the integration_id under which used_tokens records
// revoked admin sessions (integration ids start at 1): the table every
// instance shares for single-use ids, swept once a row's expiry is past.
const revokedNamespace = 0

// Revoke ends the admin session whose token id is jti, valid until
// expires, on every instance: Revoked reports it from then on.
func (s *Service) Revoke(ctx context.Context, jti string, expires time.Time) error {
	if jti == "" {
		return nil
	}
	row := model.UsedToken{IntegrationID: revokedNamespace, JTI: jti, ExpiresAt: expires.UTC()}
	err := s.db.WithContext(ctx).Create(&row).Error
	if err != nil && !errors.Is(err, gorm.ErrDuplicatedKey) {
		return fmt.Errorf("revoke admin session: %w", err)
	}
	return nil
}

// Revoked reports whether the admin session with token id jti was
// revoked (signed out).
func (s *Service) Revoked(ctx context.Context, jti string) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&model.UsedToken{}).Where("integration_id = ? AND jti = ?", revokedNamespace, jti).
		Count(&n).Error; err != nil {
		return false, fmt.Errorf("check admin session: %w", err)
	}
	return n > 0, nil
}

// Error codes of managing admins.
const (
	CodeAdminNotFound = "admin_not_found"
	CodeAdminSelf     = "admin_self"
	CodeLastAdmin     = "admin_last"
)

// Audit actions of managing admins (the acting admin is the actor, the
// other admin's email is in the detail).
const (
	ActionCreate        = "admin.create"
	ActionRemove        = "admin.remove"
	ActionResetPassword = "admin.password_reset"
)

// List answers every admin, oldest first.
func (s *Service) List(ctx context.Context) ([]model.Admin, error) {
	var out []model.Admin
	if err := s.db.WithContext(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list admins: %w", err)
	}
	return out, nil
}

func (s *Service) find(ctx context.Context, db *gorm.DB, id int64) (model.Admin, error) {
	var a model.Admin
	err := db.WithContext(ctx).Where("id = ?", id).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return model.Admin{}, apperr.New(apperr.NotFound, CodeAdminNotFound, "no admin has this id (another admin may have removed it)")
	}
	if err != nil {
		return model.Admin{}, fmt.Errorf("find admin: %w", err)
	}
	return a, nil
}

// Remove deletes admin id on behalf of admin actor, with fn run in the
// same transaction (to audit it) with the removed admin. Removing oneself
// and removing the last admin are refused (Conflict), and nothing is
// written.
func (s *Service) Remove(ctx context.Context, actor, id int64, fn func(tx *gorm.DB, removed model.Admin) error) error {
	if actor == id {
		return apperr.New(apperr.Conflict, CodeAdminSelf, "you cannot remove yourself; another admin can remove you")
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Lock every admin row (MariaDB; SQLite serializes writers), so two
		// admins removing each other at once cannot leave none.
		var ids []int64
		if err := tx.Model(&model.Admin{}).Clauses(clause.Locking{Strength: "UPDATE"}).Order("id").Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("lock admins: %w", err)
		}
		a, err := s.find(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(ids) <= 1 {
			return apperr.New(apperr.Conflict, CodeLastAdmin, "%s is the last admin; add another admin before removing it", a.Email)
		}
		if err := tx.Delete(&model.Admin{}, id).Error; err != nil {
			return fmt.Errorf("remove admin: %w", err)
		}
		return fn(tx, a)
	})
}

// ResetPassword sets a new password for admin id on behalf of admin actor
// (who changes their own password with ChangePassword, which asks for the
// current one). It ends every session of admin id. fn runs in the same
// transaction with the admin. Nothing is written on error.
func (s *Service) ResetPassword(ctx context.Context, actor, id int64, password string, fn func(tx *gorm.DB, a model.Admin) error) error {
	if actor == id {
		return apperr.OnField(apperr.New(apperr.Invalid, CodeAdminSelf, "to change your own password, use Account: it asks for your current password"), "password")
	}
	if len([]rune(password)) < MinPasswordLen || len(password) > 72 {
		return apperr.OnField(apperr.New(apperr.Invalid, CodeInvalidAdmin, "the password must be %d to 72 characters", MinPasswordLen).With(passwordLimits...), "password")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.find(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := tx.Model(&model.Admin{}).Where("id = ?", id).
			Updates(map[string]any{"password_hash": string(hash), "updated_at": time.Now().UTC()}).Error; err != nil {
			return fmt.Errorf("store password: %w", err)
		}
		return fn(tx, a)
	})
}
