package layout

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/model"
)

// CustomColumn is the column custom field values are kept in.
const CustomColumn = "custom"

var fieldKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// FieldTypes lists the types a custom field may have.
var FieldTypes = []FieldType{Text, Number, Money, Date, DateTime, Enum, Bool, Phone, Email, URL}

// FieldInput defines or relabels a custom field.
type FieldInput struct {
	Object Object
	Key    string
	Label  Label
	Type   FieldType
	// Values are an enum field's allowed values (required for enum, refused
	// for any other type); a relabel replaces them.
	Values []string
}

// Limits on an enum field's allowed values.
const (
	MaxEnumValues   = 100
	MaxEnumValueLen = 64
)

// loadCatalog reads the custom fields that are not retired.
func (s *Store) loadCatalog(ctx context.Context) (Catalog, error) {
	var rows []model.CustomField
	if err := s.db.WithContext(ctx).Where("retired = ?", false).Order("id").Find(&rows).Error; err != nil {
		return Catalog{}, fmt.Errorf("load custom fields: %w", err)
	}
	cat := Catalog{custom: map[Object][]Field{}}
	for _, r := range rows {
		o := Object(r.Object)
		cat.custom[o] = append(cat.custom[o], Field{Key: r.FieldKey, Column: CustomColumn, Custom: true,
			Type: FieldType(r.Type), Label: Label{ZH: r.LabelZH, EN: r.LabelEN}, Values: r.Values})
	}
	return cat, nil
}

// Catalog returns the current catalog (built-in and custom fields).
func (s *Store) Catalog(ctx context.Context) (Catalog, error) { return s.loadCatalog(ctx) }

// CustomFields lists every custom field, retired ones included.
func (s *Store) CustomFields(ctx context.Context) ([]model.CustomField, error) {
	var rows []model.CustomField
	if err := s.db.WithContext(ctx).Order("object").Order("field_key").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list custom fields: %w", err)
	}
	return rows, nil
}

// PutField adds a custom field, or relabels (and un-retires) an existing
// one. A field's type cannot change once defined, nor can a built-in field
// be redefined.
//
// The field is stored with its audit record (record, when not nil), in one
// transaction.
func (s *Store) PutField(ctx context.Context, in FieldInput, record audit.OnTx[model.CustomField]) (model.CustomField, error) {
	// bad names the input field at fault, for forms.
	bad := func(field, format string, args ...any) error {
		return apperr.OnField(apperr.New(apperr.Invalid, "invalid_field", format, args...), field)
	}
	if _, ok := catalog[in.Object]; !ok {
		return model.CustomField{}, bad("object", "object %q is not one of contact, account, leads, tickets, orders", in.Object)
	}
	if !fieldKeyPattern.MatchString(in.Key) {
		return model.CustomField{}, bad("key", "field key %q must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter", in.Key)
	}
	if _, ok := Lookup(in.Object, in.Key); ok || in.Key == CustomColumn {
		return model.CustomField{}, bad("key", "%s already has a built-in field %q", in.Object, in.Key)
	}
	if !slices.Contains(FieldTypes, in.Type) {
		return model.CustomField{}, bad("type", "type %q is not one of text, number, money, date, datetime, enum, bool, phone, email, url", in.Type)
	}
	if in.Label.ZH == "" || in.Label.EN == "" || len(in.Label.ZH) > 128 || len(in.Label.EN) > 128 {
		return model.CustomField{}, bad("label", "a field needs a zh and an en label of at most 128 characters")
	}
	if unsafeText(in.Label.ZH) || unsafeText(in.Label.EN) {
		return model.CustomField{}, bad("label", "a field label cannot hold control or bidirectional-override characters")
	}
	values, err := enumValues(in.Type, in.Values)
	if err != nil {
		return model.CustomField{}, bad("values", "%s", err.Error())
	}
	now := s.now()
	var out model.CustomField
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur model.CustomField
		err := tx.Where("object = ? AND field_key = ?", in.Object, in.Key).Take(&cur).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			out = model.CustomField{Object: string(in.Object), FieldKey: in.Key, LabelZH: in.Label.ZH, LabelEN: in.Label.EN,
				Type: string(in.Type), Values: values, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&out).Error; err != nil {
				return err
			}
			return recordField(tx, record, out)
		case err != nil:
			return err
		}
		if cur.Type != string(in.Type) {
			return bad("type", "field %s.%s is a %s field; its type cannot change", in.Object, in.Key, cur.Type)
		}
		cur.LabelZH, cur.LabelEN, cur.Retired, cur.UpdatedAt = in.Label.ZH, in.Label.EN, false, now
		if values != nil || cur.Type != string(Enum) {
			cur.Values = values
		}
		out = cur
		if err := tx.Save(&cur).Error; err != nil {
			return err
		}
		return recordField(tx, record, out)
	})
	if err != nil {
		if apperr.As(err) != nil {
			return model.CustomField{}, err
		}
		return model.CustomField{}, fmt.Errorf("store custom field: %w", err)
	}
	s.invalidate()
	return out, nil
}

// enumValues checks an enum field's allowed values: 1 to MaxEnumValues
// distinct values of 1 to MaxEnumValueLen characters, trimmed, without
// control characters. Other types take none. A relabel of an enum field
// that names no values keeps the stored ones (nil answer).
func enumValues(t FieldType, in []string) ([]string, error) {
	if t != Enum {
		if len(in) > 0 {
			return nil, fmt.Errorf("only enum fields have allowed values; %s fields take none", t)
		}
		return nil, nil
	}
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > MaxEnumValues {
		return nil, fmt.Errorf("an enum field has at most %d allowed values; %d were given", MaxEnumValues, len(in))
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, v := range in {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			return nil, fmt.Errorf("an allowed value cannot be empty")
		case utf8.RuneCountInString(v) > MaxEnumValueLen:
			return nil, fmt.Errorf("allowed value %.20q… is longer than %d characters", v, MaxEnumValueLen)
		case unsafeText(v):
			return nil, fmt.Errorf("an allowed value cannot hold control or bidirectional-override characters")
		case seen[v]:
			return nil, fmt.Errorf("allowed value %q is given twice", v)
		}
		seen[v] = true
		out = append(out, v)
	}
	return out, nil
}

// RetireField hides a custom field from the catalog, with its audit record
// (record, when not nil); its values stay in the records and it can be
// defined again.
func (s *Store) RetireField(ctx context.Context, object Object, key string, record audit.OnTx[model.CustomField]) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&model.CustomField{}).Where("object = ? AND field_key = ?", object, key).
			Updates(map[string]any{"retired": true, "updated_at": s.now()})
		if res.Error != nil {
			return fmt.Errorf("retire custom field: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "field_not_found", "%s has no custom field %q", object, key)
		}
		var f model.CustomField
		if err := tx.Where("object = ? AND field_key = ?", object, key).Take(&f).Error; err != nil {
			return fmt.Errorf("read the retired field: %w", err)
		}
		return recordField(tx, record, f)
	})
	if err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// recordField runs record on tx, naming the field in its error.
func recordField(tx *gorm.DB, record audit.OnTx[model.CustomField], f model.CustomField) error {
	if err := record.Run(tx, f); err != nil {
		return fmt.Errorf("record the change of field %s.%s: %w", f.Object, f.FieldKey, err)
	}
	return nil
}

func (s *Store) invalidate() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}
