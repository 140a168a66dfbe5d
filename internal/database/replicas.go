package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// Reads is a handle whose reads go to MySQL read replicas (chosen at random
// per statement by gorm.io/plugin/dbresolver) and whose writes and
// transactions go to the primary it was opened over. Hand it only to code
// whose reads may lag the primary by the replication delay: the sidebar's
// context. Everything that must read its own writes uses the primary handle.
type Reads struct {
	// DB is the routed handle.
	DB *gorm.DB
	// Pools are the replicas' connection pools, in the order of their URLs,
	// for pool metrics.
	Pools []*sql.DB
}

// OpenReads connects to every replica in urls (CRMLENS_DATABASE_REPLICA_URLS)
// and returns a Reads over primary. A replica that does not answer within
// 10 seconds stops it: nothing starts half-configured. With no urls it
// returns primary itself, so callers need no special case.
func OpenReads(ctx context.Context, primary *gorm.DB, urls []string, opts Options) (*Reads, error) {
	if len(urls) == 0 {
		return &Reads{DB: primary}, nil
	}
	primarySQL, err := primary.DB()
	if err != nil {
		return nil, fmt.Errorf("read replicas: %w", err)
	}
	out := &Reads{}
	fail := func(err error) (*Reads, error) {
		out.Close()
		return nil, err
	}
	dialectors := make([]gorm.Dialector, 0, len(urls))
	for i, raw := range urls {
		t, err := ParseURL(raw)
		if err != nil || t.Dialect != MySQL {
			return fail(fmt.Errorf("CRMLENS_DATABASE_REPLICA_URLS: entry %d is not a mysql:// URL", i+1))
		}
		pool, err := openMySQL(t.DSN, opts.Logger)
		if err != nil {
			return fail(fmt.Errorf("CRMLENS_DATABASE_REPLICA_URLS: entry %d: %s", i+1, Redact(err)))
		}
		out.Pools = append(out.Pools, pool)
		pool.SetMaxOpenConns(50)
		pool.SetMaxIdleConns(25)
		pool.SetConnMaxLifetime(5 * time.Minute)
		pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err = pool.PingContext(pingCtx)
		cancel()
		if err != nil {
			return fail(fmt.Errorf("CRMLENS_DATABASE_REPLICA_URLS: entry %d does not answer: %s", i+1, Redact(err)))
		}
		dialectors = append(dialectors, mysql.New(mysql.Config{Conn: pool, DSN: t.DSN, DisableWithReturning: true}))
	}
	// A second GORM handle over the primary's pool: the resolver plugin is
	// registered on it alone, so the primary handle keeps every read.
	db, err := gorm.Open(mysql.New(mysql.Config{Conn: primarySQL, DisableWithReturning: true}), gormConfig(opts))
	if err != nil {
		return fail(fmt.Errorf("read replicas: %w", err))
	}
	if err := db.Use(dbresolver.Register(dbresolver.Config{
		Replicas:          dialectors,
		Policy:            dbresolver.RandomPolicy{},
		TraceResolverMode: false,
	})); err != nil {
		return fail(fmt.Errorf("read replicas: %w", err))
	}
	out.DB = db
	return out, nil
}

// Close closes the replicas' pools (not the primary's).
func (r *Reads) Close() error {
	var errs []error
	for _, p := range r.Pools {
		errs = append(errs, p.Close())
	}
	return errors.Join(errs...)
}

// FromReplica marks db's next statement as a read for the replicas, even
// when the resolver could not tell from its SQL (a statement that starts
// with "(", as a UNION of parenthesized SELECTs does, would otherwise go to
// the primary). On a handle without replicas it changes nothing.
func FromReplica(db *gorm.DB) *gorm.DB {
	return db.Clauses(dbresolver.Read)
}
