package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/bench/internal/baseline"
	"github.com/crmlens/crmlens/bench/internal/load"
	"github.com/crmlens/crmlens/bench/internal/progress"
	"github.com/crmlens/crmlens/frontend"
	"github.com/crmlens/crmlens/internal/admin"
	"github.com/crmlens/crmlens/internal/agents"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/keyring"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/metrics"
	"github.com/crmlens/crmlens/internal/paramcrypt"
	"github.com/crmlens/crmlens/internal/platforms"
	"github.com/crmlens/crmlens/internal/playground"
	"github.com/crmlens/crmlens/internal/seed"
	"github.com/crmlens/crmlens/internal/server"
	"github.com/crmlens/crmlens/internal/sessiontoken"
	"github.com/crmlens/crmlens/internal/sidebar"
)

// target is one HTTP service under load.
type target struct {
	name      string
	client    *http.Client
	do        load.Request
	respBytes atomic.Int64

	closed     []load.ClosedResult
	open       []load.OpenResult
	openOthers []float64 // cores other processes kept busy, per open round
	cost       []cost
	bytes      int64 // response bytes over the closed rounds
	answered   int64 // successful requests over the closed rounds
}

func (t *target) reset() { t.respBytes.Store(0) }

// send runs req and reads the whole answer, which must be 200.
func (t *target) send(req *http.Request) error {
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("%s: %s: %s", t.name, resp.Status, bytes.TrimSpace(body))
	}
	n, err := io.Copy(io.Discard, resp.Body)
	t.respBytes.Add(n)
	return err
}

// session is an open sidebar session of one demo visitor.
type session struct {
	token     string
	visitorID string
}

// targets are the service and the baseline, each on its own loopback port.
type targets struct {
	serviceURL    string
	baselineURL   string
	servers       []*http.Server
	baselineDB    *sql.DB
	baselineH     *baseline.Handler
	audit         *audit.Async
	integrationID int64

	sessions   []session
	sessionsAt time.Time

	service  *target
	baseline *target
	// floor is the service's /healthz: the same process, server and
	// middleware without any database work, at the same fixed rate, to show
	// what latency this machine gives before crmlens does anything.
	floor *target
}

func newClient() *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        4096,
		MaxIdleConnsPerHost: 4096,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// startTargets starts crmlens, wired as cmd/crmlens/serve.go wires it, and
// the baseline, each behind its own net/http server on a loopback port.
func startTargets(ctx context.Context, db *gorm.DB, dbURL string, keys *keyring.Keyring, log *slog.Logger) (*targets, error) {
	tg := &targets{}
	tokens, err := sessiontoken.New(ctx, db, keys, nil)
	if err != nil {
		return nil, err
	}
	assets, err := frontend.Dist()
	if err != nil {
		return nil, err
	}
	integrations := integration.New(db, keys, platforms.Default(), 24*time.Hour, nil)
	layouts := layout.NewStore(db, nil).WithAgentGroups(agents.New(db, nil))
	tg.audit = audit.NewAsync(audit.New(db), log)
	// Metrics and the request timeout as serve sets them (no replicas: the
	// context reads go to the one server).
	m := metrics.New("bench")
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if err := m.WatchDB("primary", sqlDB); err != nil {
		return nil, err
	}
	h := server.New(server.Deps{
		DB: db, Tokens: tokens, Assets: assets, Logger: log, Layouts: layouts,
		Sidebar: sidebar.New(sidebar.Deps{DB: db, Reads: db, Tokens: tokens, Integrations: integrations, Layouts: layouts,
			Audit: tg.audit, Metrics: m, Limits: &benchLimits}),
		Playground:     playground.New(db, integrations),
		Integrations:   integrations,
		Admins:         admin.New(db, 0),
		Metrics:        m,
		RequestTimeout: 15 * time.Second, // CRMLENS_REQUEST_TIMEOUT's default
	})
	if tg.serviceURL, err = tg.serve(h); err != nil {
		return nil, err
	}

	// The baseline gets its own pool, sized as database.Open sizes crmlens's.
	t, err := database.ParseURL(dbURL)
	if err != nil {
		return nil, err
	}
	if tg.baselineDB, err = sql.Open("mysql", t.DSN); err != nil {
		tg.close()
		return nil, err
	}
	tg.baselineDB.SetMaxOpenConns(50)
	tg.baselineDB.SetMaxIdleConns(25)
	tg.baselineDB.SetConnMaxLifetime(5 * time.Minute)
	if tg.baselineH, err = baseline.New(ctx, tg.baselineDB, log); err != nil {
		tg.close()
		return nil, err
	}
	if tg.baselineURL, err = tg.serve(tg.baselineH); err != nil {
		tg.close()
		return nil, err
	}

	tg.service = &target{name: "service", client: newClient()}
	tg.service.do = func(ctx context.Context, seq int) error {
		s := tg.sessions[seq%len(tg.sessions)]
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, tg.serviceURL+"/api/v1/sidebar/context", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+s.token)
		return tg.service.send(req)
	}
	tg.baseline = &target{name: "baseline", client: newClient()}
	tg.baseline.do = func(ctx context.Context, seq int) error {
		s := tg.sessions[seq%len(tg.sessions)]
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, tg.baselineContextURL(s), nil)
		if err != nil {
			return err
		}
		return tg.baseline.send(req)
	}
	tg.floor = &target{name: "floor", client: newClient()}
	tg.floor.do = func(ctx context.Context, _ int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, tg.serviceURL+"/healthz", nil)
		if err != nil {
			return err
		}
		return tg.floor.send(req)
	}
	return tg, nil
}

// serve starts h on a free loopback port with serve.go's timeouts.
func (tg *targets) serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	tg.servers = append(tg.servers, srv)
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

func (tg *targets) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range tg.servers {
		_ = s.Shutdown(ctx)
	}
	if tg.audit != nil {
		_ = tg.audit.Close(ctx)
	}
	if tg.baselineH != nil {
		tg.baselineH.Close()
	}
	if tg.baselineDB != nil {
		_ = tg.baselineDB.Close()
	}
}

// demoAgent is the agent label the playground's Easemob params name.
const demoAgent = "agent-demo-1"

func (tg *targets) baselineContextURL(s session) string {
	return fmt.Sprintf("%s/context?visitor=%s&integration=%d&agent=%s", tg.baselineURL, s.visitorID, tg.integrationID, demoAgent)
}

// sampleVisitors picks n distinct demo contacts (1-based) out of contacts,
// the same ones on every run of the same size.
func sampleVisitors(contacts, n int) []int {
	if n >= contacts {
		out := make([]int, contacts)
		for i := range out {
			out[i] = i + 1
		}
		return out
	}
	r := rand.New(rand.NewPCG(2026, uint64(contacts)))
	seen := make(map[int]bool, n)
	out := make([]int, 0, n)
	for len(out) < n {
		i := 1 + r.IntN(contacts)
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	return out
}

// openSessions opens one sidebar session per demo visitor the way the
// sidebar page does: POST /api/v1/sidebar/sessions with the params Easemob
// would send, DES-encrypted under the demo key.
func (tg *targets) openSessions(ctx context.Context, visitors []int) error {
	cipher, err := paramcrypt.NewDES(seed.DemoKey)
	if err != nil {
		return err
	}
	client := newClient()
	out := make([]session, len(visitors))
	bar := progress.New("sessions", int64(len(visitors)), "sessions")
	jobs := make(chan int)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				s, err := tg.openSession(ctx, client, cipher, visitors[k])
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				out[k] = s
				bar.Add(1)
			}
		}()
	}
	start := time.Now()
feed:
	for k := range visitors {
		select {
		case jobs <- k:
		case <-ctx.Done():
			break feed
		}
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("open sidebar sessions: %w", firstErr)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	bar.Finish()
	tg.sessions, tg.sessionsAt = out, start
	return nil
}

func (tg *targets) openSession(ctx context.Context, client *http.Client, cipher *paramcrypt.Cipher, i int) (session, error) {
	u, err := url.Parse(playground.SidebarURL(seed.DemoSlug, cipher, seed.Conversation{
		VisitorImID: seed.VisitorImID(i), Channel: "easemob", VisitorName: fmt.Sprintf("Visitor %d", i),
	}))
	if err != nil {
		return session{}, err
	}
	params := map[string]string{}
	for k, v := range u.Query() {
		params[k] = v[0]
	}
	body, err := json.Marshal(api.SessionRequest{Integration: seed.DemoSlug, Params: params})
	if err != nil {
		return session{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tg.serviceURL+"/api/v1/sidebar/sessions", bytes.NewReader(body))
	if err != nil {
		return session{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return session{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return session{}, err
	}
	if resp.StatusCode != http.StatusCreated {
		return session{}, fmt.Errorf("visitor %d: %s: %s", i, resp.Status, bytes.TrimSpace(b))
	}
	var sr api.SessionResponse
	if err := json.Unmarshal(b, &sr); err != nil {
		return session{}, fmt.Errorf("visitor %d: %w", i, err)
	}
	if sr.Contact == nil {
		return session{}, fmt.Errorf("visitor %d (%s) is linked to no contact: %s", i, seed.VisitorImID(i), sr.Match.Reason)
	}
	return session{token: sr.Token, visitorID: sr.Visitor.Id}, nil
}

// checkEquivalent fetches the context of the first n sessions from both
// targets and compares everything but the ids of the requests.
func (tg *targets) checkEquivalent(ctx context.Context, n int) error {
	get := func(t *target, req *http.Request) (map[string]any, error) {
		resp, err := t.client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: %s: %s", t.name, resp.Status, bytes.TrimSpace(b))
		}
		var m map[string]any
		return m, json.Unmarshal(b, &m)
	}
	for k := range n {
		s := tg.sessions[k]
		sreq, err := http.NewRequestWithContext(ctx, http.MethodGet, tg.serviceURL+"/api/v1/sidebar/context", nil)
		if err != nil {
			return err
		}
		sreq.Header.Set("Authorization", "Bearer "+s.token)
		breq, err := http.NewRequestWithContext(ctx, http.MethodGet, tg.baselineContextURL(s), nil)
		if err != nil {
			return err
		}
		a, err := get(tg.service, sreq)
		if err != nil {
			return err
		}
		b, err := get(tg.baseline, breq)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(a, b) {
			return fmt.Errorf("the baseline's answer for visitor %s differs from the service's: %s", s.visitorID, diffKeys(a, b))
		}
	}
	return nil
}

// diffKeys names the top-level keys whose values differ, with both values.
func diffKeys(a, b map[string]any) string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []string
	for _, k := range names {
		if !reflect.DeepEqual(a[k], b[k]) {
			ja, _ := json.Marshal(a[k])
			jb, _ := json.Marshal(b[k])
			out = append(out, fmt.Sprintf("%s: service %s, baseline %s", k, ja, jb))
		}
	}
	if len(out) == 0 {
		return "no difference found"
	}
	return strings.Join(out, "; ")
}

// benchLimits lifts the agents' action limits: the bench measures what a
// search costs, in closed loops far past what one agent's session may do.
var benchLimits = sidebar.Limits{
	SearchesPerSession: math.MaxInt64, SearchesPerAgentDay: math.MaxInt64,
	LinksPerSession: math.MaxInt64, LinksPerAgentDay: math.MaxInt64,
	RevealsPerSession: math.MaxInt64, RevealsPerAgentDay: math.MaxInt64,
}
