package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// Reads is a handle whose reads go to MySQL read replicas (chosen at random
// per statement by gorm.io/plugin/dbresolver, among those that answered
// their last check) and whose writes and transactions go to the primary it
// was opened over. Hand it only to code whose reads may lag the primary by
// the replication delay: the sidebar's context. Everything that must read
// its own writes uses the primary handle.
//
// Every CheckInterval each replica is pinged; one that does not answer
// within CheckTimeout gets no reads until it answers again, and with none
// answering the reads go to the primary. So a replica that goes down costs
// the statements sent to it before the next check, not every read after.
type Reads struct {
	// DB is the routed handle.
	DB *gorm.DB
	// Pools are the replicas' connection pools, in the order of their URLs,
	// for pool metrics.
	Pools []*sql.DB

	policy *replicaPolicy
	stop   context.CancelFunc
	done   sync.WaitGroup
}

// CheckInterval is how often each replica is pinged; CheckTimeout is how
// long a ping may take before the replica counts as down.
const (
	CheckInterval = 2 * time.Second
	CheckTimeout  = time.Second
)

// ReplicaReadTimeout is the readTimeout a replica URL gets when it sets
// none: a replica that hangs (neither answers nor refuses) fails a context
// read after it, and the read is made again on the primary, instead of
// holding it until the request times out. Context reads take milliseconds.
const ReplicaReadTimeout = 2 * time.Second

// withReadTimeout is dsn with readTimeout d unless it sets one.
func withReadTimeout(dsn string, d time.Duration) (string, error) {
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return "", errors.New("not a valid MySQL DSN")
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = d
	}
	return cfg.FormatDSN(), nil
}

// replicaPolicy is the dbresolver.Policy of a Reads: a random replica among
// those up, else the primary (which is last in the pools it is given).
type replicaPolicy struct {
	primary gorm.ConnPool
	up      map[gorm.ConnPool]*atomic.Bool
}

// Resolve picks uniformly among the replicas that are up, without
// allocating; the primary when none is.
func (p *replicaPolicy) Resolve(pools []gorm.ConnPool) gorm.ConnPool {
	n := 0
	for _, c := range pools {
		if p.isUp(c) {
			n++
		}
	}
	if n == 0 {
		return p.primary
	}
	k := rand.IntN(n)
	for _, c := range pools {
		if p.isUp(c) {
			if k == 0 {
				return c
			}
			k--
		}
	}
	return p.primary // not reached: a replica went down between the loops
}

func (p *replicaPolicy) isUp(c gorm.ConnPool) bool {
	u, ok := p.up[c]
	return ok && u.Load()
}

// Up reports whether replica i (in the order of the URLs) answered its
// last check.
func (r *Reads) Up(i int) bool {
	return r.policy != nil && r.policy.isUp(r.Pools[i])
}

// watch pings every replica each interval until ctx ends, marking it up or
// down, and logs each change (with the replica's position, never its URL).
func (r *Reads) watch(ctx context.Context, interval, timeout time.Duration, log *slog.Logger) {
	defer r.done.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for i, pool := range r.Pools {
			pingCtx, cancel := context.WithTimeout(ctx, timeout)
			err := pool.PingContext(pingCtx)
			cancel()
			if ctx.Err() != nil {
				return
			}
			was := r.policy.up[pool].Swap(err == nil)
			switch {
			case err != nil && was:
				log.Warn("read replica does not answer: its reads go to the other replicas, or to the primary",
					"replica", i+1, "err", Redact(err))
			case err == nil && !was:
				log.Info("read replica answers again", "replica", i+1)
			}
		}
	}
}

// OpenReads connects to every replica in urls (CRMLENS_DATABASE_REPLICA_URLS)
// and returns a Reads over primary. A replica that does not answer within
// 10 seconds stops it: nothing starts half-configured; later, the replicas
// are checked until Close. With no urls it returns primary itself, so
// callers need no special case.
func OpenReads(ctx context.Context, primary *gorm.DB, urls []string, opts Options) (*Reads, error) {
	return openReads(ctx, primary, urls, opts, CheckInterval, CheckTimeout)
}

func openReads(ctx context.Context, primary *gorm.DB, urls []string, opts Options, interval, timeout time.Duration) (*Reads, error) {
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
		dsn, err := withReadTimeout(t.DSN, ReplicaReadTimeout)
		if err != nil {
			return fail(fmt.Errorf("CRMLENS_DATABASE_REPLICA_URLS: entry %d: %s", i+1, err))
		}
		pool, err := openMySQL(dsn, opts.Logger)
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
		dialectors = append(dialectors, mysql.New(mysql.Config{Conn: pool, DSN: dsn, DisableWithReturning: true}))
	}
	// A second GORM handle over the primary's pool: the resolver plugin is
	// registered on it alone, so the primary handle keeps every read.
	db, err := gorm.Open(mysql.New(mysql.Config{Conn: primarySQL, DisableWithReturning: true}), gormConfig(opts))
	if err != nil {
		return fail(fmt.Errorf("read replicas: %w", err))
	}
	// The primary goes last among the "replicas": the policy sends reads
	// there only when no replica is up.
	dialectors = append(dialectors, mysql.New(mysql.Config{Conn: primarySQL, DisableWithReturning: true}))
	out.policy = &replicaPolicy{primary: primarySQL, up: make(map[gorm.ConnPool]*atomic.Bool, len(out.Pools))}
	for _, p := range out.Pools {
		up := &atomic.Bool{}
		up.Store(true) // it answered the ping above
		out.policy.up[p] = up
	}
	if err := db.Use(dbresolver.Register(dbresolver.Config{
		Replicas:          dialectors,
		Policy:            out.policy,
		TraceResolverMode: false,
	})); err != nil {
		return fail(fmt.Errorf("read replicas: %w", err))
	}
	out.DB = db
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The checks outlive ctx (a start-up context); Close stops them.
	watchCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	out.stop = stop
	out.done.Add(1)
	go out.watch(watchCtx, interval, timeout, log)
	return out, nil
}

// Close stops the replicas' checks and closes their pools (not the
// primary's).
func (r *Reads) Close() error {
	if r.stop != nil {
		r.stop()
		r.done.Wait()
	}
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
