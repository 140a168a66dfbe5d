package database

import (
	"database/sql"
	"sync/atomic"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// TestReplicaPolicy: reads spread evenly over the replicas that are up,
// skip the ones that are down, and go to the primary when none is up.
func TestReplicaPolicy(t *testing.T) {
	open := func() *sql.DB {
		// sql.Open does not connect: these are pool identities only.
		db, err := sql.Open("mysql", "u@tcp(127.0.0.1:1)/x")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	r1, r2, r3, primary := open(), open(), open(), open()
	p := &replicaPolicy{primary: primary, up: map[gorm.ConnPool]*atomic.Bool{}}
	for _, r := range []*sql.DB{r1, r2, r3} {
		p.up[r] = &atomic.Bool{}
		p.up[r].Store(true)
	}
	pools := []gorm.ConnPool{r1, r2, r3, primary}
	count := func() map[gorm.ConnPool]int {
		got := map[gorm.ConnPool]int{}
		for range 3000 {
			got[p.Resolve(pools)]++
		}
		return got
	}

	tests := []struct {
		name string
		down []*sql.DB
		want []*sql.DB // each should get an even share
	}{
		{name: "all up", want: []*sql.DB{r1, r2, r3}},
		{name: "one down", down: []*sql.DB{r2}, want: []*sql.DB{r1, r3}},
		{name: "all down", down: []*sql.DB{r1, r2, r3}, want: []*sql.DB{primary}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, up := range p.up {
				up.Store(true)
			}
			for _, d := range tt.down {
				p.up[d].Store(false)
			}
			got := count()
			if len(got) != len(tt.want) {
				t.Fatalf("reads went to %d pools, want %d", len(got), len(tt.want))
			}
			share := 3000 / len(tt.want)
			for i, w := range tt.want {
				if n := got[w]; n < share*8/10 || n > share*12/10 {
					t.Errorf("pool %d got %d of 3000 reads, want about %d", i, n, share)
				}
			}
		})
	}
}

func TestWithReadTimeout(t *testing.T) {
	tests := []struct{ name, dsn, want string }{
		{"none set: the default", "ro@tcp(replica:3306)/crm?parseTime=true", "2s"},
		{"the URL's own", "ro@tcp(replica:3306)/crm?readTimeout=10s", "10s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := withReadTimeout(tt.dsn, ReplicaReadTimeout)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := mysqldriver.ParseDSN(out)
			if err != nil || cfg.ReadTimeout.String() != tt.want || cfg.Addr != "replica:3306" || cfg.DBName != "crm" {
				t.Errorf("withReadTimeout(%q) = %q (%v), want readTimeout %s and the rest kept", tt.dsn, out, err, tt.want)
			}
		})
	}
	if _, err := withReadTimeout("not a dsn at all(", ReplicaReadTimeout); err == nil {
		t.Error("a bad DSN was accepted")
	}
}
