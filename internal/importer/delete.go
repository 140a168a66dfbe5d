package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/model"
)

// Delete removes the record of object (a plural name, as in Objects) whose
// external_id is externalID; for agents, externalID is
// "PLATFORM:PLATFORM_ID" (e.g. easemob:agent-7). who is the request's
// audit event (Actor, RequestID); Delete records it as sync.delete in the
// same transaction.
//
// What goes with the record:
//   - a contact: its identities, the agents' "not this person" rejections
//     of it and the sidebar sessions' reach of it; visitors linked to it
//     are unlinked (and may be matched again). A contact that leads,
//     tickets or orders still point at is not deleted: a Conflict
//     (CodeSyncReferenced) names how many, so that nothing is left
//     pointing at nothing without the CRM saying so. Delete or move them
//     first.
//   - an account: refused the same way while contacts belong to it.
//   - an agent: its group memberships.
//
// A record that is not there is NotFound (CodeSyncNotFound).
func (im *Importer) Delete(ctx context.Context, object, externalID string, who audit.Event) error {
	spec, err := syncSpec(object)
	if err != nil {
		return err
	}
	err = im.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		id, err := lockByKey(tx, spec.name, externalID)
		if err != nil {
			return err
		}
		ev := who
		ev.Action = audit.ActionSyncDelete
		ev.Detail = map[string]string{"object": spec.name, "external_id": externalID}
		switch spec.name {
		case "accounts":
			if err := refuseReferenced(tx, "account", externalID, id, "account_id", "contacts"); err != nil {
				return err
			}
		case "contacts":
			if err := refuseReferenced(tx, "contact", externalID, id, "contact_id", "leads", "tickets", "orders"); err != nil {
				return err
			}
			for _, m := range []any{&model.ContactIdentity{}, &model.VisitorRejection{}, &model.ReachableContact{}} {
				if err := tx.Where("contact_id = ?", id).Delete(m).Error; err != nil {
					return fmt.Errorf("delete what belongs to contact %d: %w", id, err)
				}
			}
			if err := tx.Model(&model.Visitor{}).Where("contact_id = ?", id).
				Updates(map[string]any{"contact_id": nil, "link_method": ""}).Error; err != nil {
				return fmt.Errorf("unlink the visitors of contact %d: %w", id, err)
			}
			ev.ContactID = &id
		case "agents":
			if err := tx.Where("agent_id = ?", id).Delete(&model.AgentGroupMember{}).Error; err != nil {
				return fmt.Errorf("delete the group memberships of agent %d: %w", id, err)
			}
		}
		if err := tx.Table(spec.name).Where("id = ?", id).Delete(nil).Error; err != nil {
			return fmt.Errorf("delete %s %d: %w", spec.name, id, err)
		}
		if err := audit.New(tx).Record(ctx, ev); err != nil {
			return fmt.Errorf("record the deletion: %w", err)
		}
		return nil
	}, syncTxOptions(im.db)...)
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return apperr.Wrap(err, apperr.Conflict, CodeSyncReferenced,
			"%s %q is still referenced by records written meanwhile; send the request again", singular(spec.name), truncate(externalID, 80))
	}
	return err
}

// lockByKey returns the id of table's row with the external key ext,
// locked until the commit on MySQL.
func lockByKey(tx *gorm.DB, table, ext string) (int64, error) {
	q := tx.Table(table).Select("id")
	if table == "agents" {
		platform, pid, ok := strings.Cut(ext, ":")
		if !ok || platform == "" || pid == "" {
			return 0, apperr.New(apperr.Invalid, "invalid_agent_key",
				"an agent is deleted as PLATFORM:PLATFORM_ID, e.g. easemob:agent-7 (URL-encoded in the path)")
		}
		q = q.Where("platform = ? AND platform_id = ?", platform, pid)
	} else {
		q = q.Where("external_id = ?", ext)
	}
	if tx.Dialector.Name() == "mysql" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var ids []int64
	if err := q.Limit(1).Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("look up %s %q: %w", table, truncate(ext, 80), err)
	}
	if len(ids) == 0 {
		return 0, apperr.New(apperr.NotFound, CodeSyncNotFound, "there is no %s with external_id %q", singular(table), truncate(ext, 80))
	}
	return ids[0], nil
}

// refuseReferenced is a Conflict naming how many rows of each of tables
// point at the row id through col.
func refuseReferenced(tx *gorm.DB, what, ext string, id int64, col string, tables ...string) error {
	var parts []string
	for _, t := range tables {
		var n int64
		if err := tx.Table(t).Where(col+" = ?", id).Count(&n).Error; err != nil {
			return fmt.Errorf("count the %s of %s %d: %w", t, what, id, err)
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, plural(int(n), singular(t), t)))
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return apperr.New(apperr.Conflict, CodeSyncReferenced,
		"%s %q was not deleted: %s still point at it; delete them or sync them without it first",
		what, truncate(ext, 80), strings.Join(parts, " and "))
}

// singular is an object's name for one record.
func singular(object string) string { return strings.TrimSuffix(object, "s") }
