package agents_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/agents"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRecordSeen: an agent a platform names is recorded once, by its id or
// else its e-mail, and seen again updates when; one named by neither is not
// recorded, and recording never makes an agent a declared one.
func TestRecordSeen(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		s := agents.New(db, func() time.Time { return clock })
		must(t, s.RecordSeen(ctx, "easemob", "a-1", "ann@example.com", "Ann"))
		clock = clock.Add(time.Hour)
		must(t, s.RecordSeen(ctx, "easemob", "a-1", "ann@example.com", "Ann"))
		must(t, s.RecordSeen(ctx, "signed", "", "bo@example.com", "Bo"))
		must(t, s.RecordSeen(ctx, "signed", "", "", "nobody"))
		var rows []model.Agent
		must(t, db.Order("platform").Find(&rows).Error)
		if len(rows) != 2 {
			t.Fatalf("%d agents recorded, want 2: %+v", len(rows), rows)
		}
		tests := []struct {
			name         string
			got          model.Agent
			platform, id string
			lastSeen     time.Time
		}{
			{"seen twice", rows[0], "easemob", "a-1", clock},
			{"named by e-mail", rows[1], "signed", "bo@example.com", clock},
		}
		for _, tt := range tests {
			if tt.got.Platform != tt.platform || tt.got.PlatformID != tt.id || tt.got.Origin != model.AgentSeen ||
				tt.got.LastSeenAt == nil || !tt.got.LastSeenAt.Equal(tt.lastSeen) {
				t.Errorf("%s: %+v, want %s/%s seen at %s", tt.name, tt.got, tt.platform, tt.id, tt.lastSeen)
			}
		}
	})
}

// TestIsDeclared: only an agent an admin declared, of the platform asked
// about, by the id or the e-mail the platform gave.
func TestIsDeclared(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		now := time.Now().UTC()
		s := agents.New(db, nil)
		must(t, db.Transaction(func(tx *gorm.DB) error {
			return s.Declare(tx, []agents.Declared{{Platform: "easemob", PlatformID: "a-1", Email: "ann@example.com", Name: "Ann"}}, now, 10)
		}))
		must(t, s.RecordSeen(ctx, "easemob", "a-2", "seen@example.com", "Seen"))
		tests := []struct {
			name, platform, id, email string
			want                      bool
		}{
			{"by id", "easemob", "a-1", "", true},
			{"by e-mail", "easemob", "", "ann@example.com", true},
			{"either matches", "easemob", "nope", "ann@example.com", true},
			{"another platform", "signed", "a-1", "ann@example.com", false},
			{"only seen", "easemob", "a-2", "seen@example.com", false},
			{"named by nothing", "easemob", "", "", false},
		}
		for _, tt := range tests {
			got, err := s.IsDeclared(ctx, tt.platform, tt.id, tt.email)
			if err != nil || got != tt.want {
				t.Errorf("%s: IsDeclared = %v, %v; want %v", tt.name, got, err, tt.want)
			}
		}
	})
}

// TestDeclare: declaring again updates an agent and turns a seen one into
// a declared one; groups are replaced where given, left where not.
func TestDeclare(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		now := time.Now().UTC()
		s := agents.New(db, nil)
		must(t, s.RecordSeen(ctx, "easemob", "a-1", "", "seen"))
		declare := func(rows ...agents.Declared) {
			t.Helper()
			must(t, db.Transaction(func(tx *gorm.DB) error { return s.Declare(tx, rows, now, 1) }))
		}
		declare(agents.Declared{Platform: "easemob", PlatformID: "a-1", Email: "amy@example.com", Name: "Amy", Groups: []string{"vip", "night"}},
			agents.Declared{Platform: "easemob", PlatformID: "a-2", Name: "Bo", Groups: []string{"vip"}})
		declare(agents.Declared{Platform: "easemob", PlatformID: "a-1", Email: "amy@example.com", Name: "Amy", Groups: []string{"day"}},
			agents.Declared{Platform: "easemob", PlatformID: "a-2", Name: "Bob"})
		n, err := s.CountExisting(db, "easemob", []string{"a-1", "a-2", "a-3"})
		if err != nil || n != 2 {
			t.Errorf("CountExisting = %d, %v; want 2", n, err)
		}
		list, err := s.List(ctx)
		must(t, err)
		tests := []struct {
			id, name string
			groups   []string
		}{
			{"a-1", "Amy", []string{"day"}},
			{"a-2", "Bob", []string{"vip"}},
		}
		for _, tt := range tests {
			i := slices.IndexFunc(list, func(a agents.Agent) bool { return a.PlatformID == tt.id })
			if i < 0 {
				t.Errorf("%s: not listed", tt.id)
				continue
			}
			a := list[i]
			if a.Name != tt.name || a.Origin != model.AgentImported || !slices.Equal(a.Groups, tt.groups) {
				t.Errorf("%s: %+v, want %s declared in %v", tt.id, a, tt.name, tt.groups)
			}
		}
		groups, err := s.GroupsOf(ctx, "easemob", "", []string{"amy@example.com"})
		if err != nil || !slices.Equal(groups, []string{"day"}) {
			t.Errorf("GroupsOf(amy) = %v, %v; want [day]", groups, err)
		}
		if groups, err := s.GroupsOf(ctx, "signed", "", []string{"a-2"}); err != nil || len(groups) != 0 {
			t.Errorf("GroupsOf(another platform) = %v, %v; want none", groups, err)
		}
		for _, tt := range []struct {
			keys []string
			want int
		}{{[]string{"a-2", "amy@example.com"}, 2}, {[]string{"nobody"}, 0}, {nil, 0}} {
			found, err := s.ByKeys(ctx, tt.keys)
			if err != nil || len(found) != tt.want {
				t.Errorf("ByKeys(%v) = %d agents, %v; want %d", tt.keys, len(found), err, tt.want)
			}
		}
	})
}
