package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/crmlens/crmlens/bench/internal/load"
)

// searchResult is the agent search measurement: one closed loop per kind of
// query, on the service only (the baseline has no search).
type searchResult struct {
	Kind  string
	Shape string // what the queries look like (not the queries: they are contact data)
	Run   load.ClosedResult
	Found float64 // candidates per answer, on average
}

// searchQueries derives agent queries from n seeded contacts: the first two
// characters of a name, the first seven digits of a phone, an email's local
// part with its "@" (how the endpoint tells an email search).
func searchQueries(ctx context.Context, admin *sql.DB, ids []int) (map[string][]string, error) {
	out := map[string][]string{}
	for _, id := range ids {
		var name, phone, email sql.NullString
		if err := admin.QueryRowContext(ctx, "SELECT name, phone, email FROM contacts WHERE id = ?", id).Scan(&name, &phone, &email); err != nil {
			return nil, fmt.Errorf("sample contact %d for search: %w", id, err)
		}
		if r := []rune(name.String); len(r) >= 2 {
			out["name prefix"] = append(out["name prefix"], string(r[:2]))
		}
		if len(phone.String) >= 7 {
			out["phone prefix"] = append(out["phone prefix"], phone.String[:7])
		}
		if local, _, ok := strings.Cut(email.String, "@"); ok && local != "" {
			out["email"] = append(out["email"], local+"@")
		}
	}
	return out, nil
}

var searchShapes = map[string]string{
	"name prefix":  "a name's first 2 characters",
	"phone prefix": "a phone's first 7 digits",
	"email":        "an email's local part and @",
}

// measureSearch runs each kind of query through GET /api/v1/sidebar/contacts
// in a closed loop of workers for d.
func (tg *targets) measureSearch(ctx context.Context, queries map[string][]string, workers int, d time.Duration) ([]searchResult, error) {
	client := newClient()
	var out []searchResult
	for _, kind := range []string{"name prefix", "phone prefix", "email"} {
		qs := queries[kind]
		if len(qs) == 0 {
			continue
		}
		var found, answers atomic.Int64
		req := func(ctx context.Context, seq int) error {
			s := tg.sessions[seq%len(tg.sessions)]
			r, err := http.NewRequestWithContext(ctx, http.MethodGet, tg.serviceURL+"/api/v1/sidebar/contacts?q="+url.QueryEscape(qs[seq%len(qs)]), nil)
			if err != nil {
				return err
			}
			r.Header.Set("Authorization", "Bearer "+s.token)
			resp, err := client.Do(r)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("search %q: %s", qs[seq%len(qs)], resp.Status)
			}
			var list struct {
				Contacts []json.RawMessage `json:"contacts"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
				return fmt.Errorf("search %q: %w", qs[seq%len(qs)], err)
			}
			found.Add(int64(len(list.Contacts)))
			answers.Add(1)
			return nil
		}
		run := load.Closed(ctx, req, workers, d)
		if run.OK == 0 {
			return nil, fmt.Errorf("search (%s) answered nothing: %v", kind, run.FirstErr)
		}
		res := searchResult{Kind: kind, Shape: searchShapes[kind], Run: run}
		if n := answers.Load(); n > 0 {
			res.Found = float64(found.Load()) / float64(n)
		}
		say("search %-12s %6.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %.1f candidates per answer  errors %d",
			kind, run.RPS(), ms(run.Latency.P50), ms(run.Latency.P99), res.Found, run.Errors)
		out = append(out, res)
	}
	return out, nil
}
