package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
)

// ListFields answers the field catalog: each object's built-in fields, then
// its custom fields (retired ones included, marked).
func (s *Server) ListFields(c echo.Context) error {
	custom, err := s.layouts.CustomFields(c.Request().Context())
	if err != nil {
		return err
	}
	out := api.FieldCatalog{Objects: []api.CatalogObject{}}
	for _, o := range layout.Objects() {
		lbl := layout.ObjectLabel(o)
		obj := api.CatalogObject{Object: api.ObjectName(o), Label: api.Label{Zh: lbl.ZH, En: lbl.EN}, Single: o.Single(), Fields: []api.CatalogField{}}
		for _, k := range layout.FieldKeys(o) {
			f, _ := layout.Lookup(o, k)
			obj.Fields = append(obj.Fields, catalogField(o, f, false))
		}
		for _, cf := range custom {
			if cf.Object == string(o) {
				obj.Fields = append(obj.Fields, customFieldView(cf))
			}
		}
		out.Objects = append(out.Objects, obj)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

func catalogField(o layout.Object, f layout.Field, retired bool) api.CatalogField {
	out := api.CatalogField{Object: api.ObjectName(o), Key: f.Key, Label: api.Label{Zh: f.Label.ZH, En: f.Label.EN},
		Type: api.FieldType(f.Type), Custom: f.Custom, Retired: retired, Sortable: f.Sortable(), Filterable: f.Filterable()}
	if len(f.Values) > 0 {
		out.Values = &f.Values
	}
	return out
}

func customFieldView(cf model.CustomField) api.CatalogField {
	f := layout.Field{Key: cf.FieldKey, Custom: true, Type: layout.FieldType(cf.Type), Label: layout.Label{ZH: cf.LabelZH, EN: cf.LabelEN}, Values: cf.Values}
	return catalogField(layout.Object(cf.Object), f, cf.Retired)
}

// PutCustomField adds or relabels a custom field.
func (s *Server) PutCustomField(c echo.Context, object, key string) error {
	claims := adminFrom(c)
	var req api.CustomFieldInput
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	in := layout.FieldInput{Object: layout.Object(object), Key: key,
		Label: layout.Label{ZH: req.Label.Zh, EN: req.Label.En}, Type: layout.FieldType(req.Type)}
	if req.Values != nil {
		in.Values = *req.Values
	}
	cf, err := s.layouts.PutField(c.Request().Context(), in,
		func(tx *gorm.DB, cf model.CustomField) error {
			return s.audit(c, tx, audit.Event{Action: audit.ActionFieldChange, Actor: adminActor(claims),
				Detail: map[string]string{"object": cf.Object, "field": cf.FieldKey, "change": "put"}})
		})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, customFieldView(cf))
}

// RetireCustomField retires a custom field.
func (s *Server) RetireCustomField(c echo.Context, object, key string) error {
	claims := adminFrom(c)
	err := s.layouts.RetireField(c.Request().Context(), layout.Object(object), key, func(tx *gorm.DB, cf model.CustomField) error {
		return s.audit(c, tx, audit.Event{Action: audit.ActionFieldChange, Actor: adminActor(claims),
			Detail: map[string]string{"object": cf.Object, "field": cf.FieldKey, "change": "retire"}})
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
