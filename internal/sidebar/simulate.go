package sidebar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/platforms"
)

// ActionSimulate is how a simulation is audited: it may decrypt and show a
// visitor's params and name their contact.
const ActionSimulate = audit.ActionSimulate

// CodeBadSimulationInput is the error code of input the simulator cannot read.
const CodeBadSimulationInput = "invalid_simulation_input"

var hexOnly = regexp.MustCompile(`^[0-9a-fA-F]+$`)

// SimulationInput is what an admin pasted, read.
type SimulationInput struct {
	Kind InputKind
	// Slug is the integration a pasted URL names ("" when it names none).
	Slug   string
	Params map[string]string
	// Order is Params' names in the order pasted (nil for a message).
	Order []string
}

// params are the input's params with their order.
func (in SimulationInput) params() adapter.Params {
	return adapter.Params{Values: in.Params, Order: in.Order}
}

// ParseSimulationInput reads a sidebar URL, a query string, an Easemob
// message carrying ext.cmd.updateVisitorInfoSrc.params, or a ShareCRM
// customParams hex string.
func ParseSimulationInput(input string) (SimulationInput, error) {
	in := strings.TrimSpace(input)
	bad := func(format string, args ...any) error {
		return apperr.OnField(apperr.New(apperr.Invalid, CodeBadSimulationInput, format, args...), "input")
	}
	switch {
	case in == "":
		return SimulationInput{}, bad("paste a sidebar URL, an updateVisitorInfoSrc message or a customParams value")
	case strings.HasPrefix(in, "http://") || strings.HasPrefix(in, "https://"):
		u, err := url.Parse(in)
		if err != nil {
			return SimulationInput{}, bad("this is not a valid URL: %v", err)
		}
		params, order := firstValues(u.Query(), u.RawQuery)
		out := SimulationInput{Kind: InputSidebarURL, Params: params, Order: order}
		if rest, ok := strings.CutPrefix(u.Path, "/sidebar/"); ok {
			out.Slug = strings.Trim(rest, "/")
		} else {
			return SimulationInput{}, bad("a sidebar URL looks like https://HOST/sidebar/SLUG?...; this one's path is %q", truncate(u.Path, 80))
		}
		return out, nil
	case looksLikeMessage(in):
		doc, err := parseMessage(in)
		if err != nil {
			return SimulationInput{}, bad("this looks like a message but does not parse: %v", err)
		}
		params, ok := findUpdateParams(doc)
		if !ok {
			return SimulationInput{}, bad("this message has no ext.cmd.updateVisitorInfoSrc.params object")
		}
		return SimulationInput{Kind: InputUpdateVisitorInfoSrc, Params: params}, nil
	case hexOnly.MatchString(in):
		return SimulationInput{Kind: InputCustomParams, Params: map[string]string{"customParams": in}}, nil
	case strings.Contains(in, "="):
		raw := strings.TrimPrefix(in, "?")
		q, err := url.ParseQuery(raw)
		if err != nil {
			return SimulationInput{}, bad("this query string does not parse: %v", err)
		}
		params, order := firstValues(q, raw)
		return SimulationInput{Kind: InputQuery, Params: params, Order: order}, nil
	default:
		return SimulationInput{}, bad("paste a sidebar URL (https://HOST/sidebar/SLUG?...), a query string, an updateVisitorInfoSrc message (JSON) or a customParams value (hex)")
	}
}

// firstValues keeps each param's first value, and the order in which raw
// (the query q was parsed from) names them first.
func firstValues(q url.Values, raw string) (map[string]string, []string) {
	out := make(map[string]string, len(q))
	for k, v := range q {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	order := make([]string, 0, len(out))
	seen := make(map[string]bool, len(out))
	for _, part := range strings.Split(raw, "&") {
		name, _, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(name)
		if _, ok := out[name]; err != nil || !ok || seen[name] {
			continue
		}
		seen[name] = true
		order = append(order, name)
	}
	return out, order
}

// sendExtCall matches the start of a JavaScript call such as
// `easemobim.sendExt(` or `window.easemobim.sendExt (`.
var sendExtCall = regexp.MustCompile(`^[A-Za-z_$][\w$.]*\s*\(`)

// extSnippet matches the `"ext": {` snippet of Easemob's docs (a member of
// an object, without the outer braces), quoted or not.
var extSnippet = regexp.MustCompile(`^["']?ext["']?\s*:`)

// looksLikeMessage reports whether in is an updateVisitorInfoSrc message in
// one of the forms Easemob and its SDKs show it:
//   - a whole message, `{"type":"txt","msg":"","ext":{...}}` (the web
//     visitor SDK sends the command as an empty text message carrying ext.
//     Source: easemob/kefu-webim, the CRM extend-message module:
//     channel.sendText("", { ext: extendMessage })), or a mobile SDK
//     message whose ext holds cmd (Source: easemob/kefu-android-demo,
//     message.setAttribute("cmd", ...));
//   - the `"ext": {...}` snippet printed in Easemob's CRM-integration docs
//     (../shared/seeds/000_6eab34a2e26d2793.txt, 消息格式示例);
//   - the web SDK call `easemobim.sendExt({ext:{cmd:{updateVisitorInfoSrc:
//     {params:{...}}}}})` or its argument, a JavaScript object literal.
func looksLikeMessage(in string) bool {
	return strings.HasPrefix(in, "{") || extSnippet.MatchString(in) ||
		sendExtCall.MatchString(in) && strings.Contains(in, "updateVisitorInfoSrc")
}

// parseMessage reads a message in any form looksLikeMessage accepts: JSON,
// else a JavaScript object literal (bare or single-quoted keys, single-
// quoted strings, trailing commas).
func parseMessage(in string) (any, error) {
	in = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(in), ";"))
	if loc := sendExtCall.FindStringIndex(in); loc != nil && !strings.HasPrefix(in, "{") {
		if end := strings.LastIndex(in, ")"); end > loc[1] {
			in = strings.TrimSpace(in[loc[1]:end])
		}
	}
	if extSnippet.MatchString(in) {
		in = "{" + strings.TrimRight(in, ", \t\r\n") + "}"
	}
	var doc any
	err := json.Unmarshal([]byte(in), &doc)
	if err == nil {
		return doc, nil
	}
	if err2 := json.Unmarshal([]byte(jsToJSON(in)), &doc); err2 == nil {
		return doc, nil
	}
	return nil, err
}

// jsToJSON rewrites a JavaScript object literal as JSON: bare and
// single-quoted keys and single-quoted strings get double quotes, and
// trailing commas go. JSON passes through unchanged.
func jsToJSON(s string) string {
	var b strings.Builder
	isIdent := func(c byte) bool {
		return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	nextNonSpace := func(i int) byte {
		for ; i < len(s); i++ {
			if c := s[i]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				return c
			}
		}
		return 0
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
			b.WriteString(s[i:j])
			i = j
		case c == '\'':
			var str strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '\''; j++ {
				switch {
				case s[j] == '\\' && j+1 < len(s) && s[j+1] == '\'':
					str.WriteByte('\'')
					j++
				case s[j] == '\\' && j+1 < len(s):
					str.WriteString(s[j : j+2])
					j++
				case s[j] == '"':
					str.WriteString(`\"`)
				default:
					str.WriteByte(s[j])
				}
			}
			b.WriteString(`"` + str.String() + `"`)
			i = min(j+1, len(s))
		case isIdent(c) && !(c >= '0' && c <= '9'):
			j := i
			for j < len(s) && isIdent(s[j]) {
				j++
			}
			if nextNonSpace(j) == ':' {
				b.WriteString(`"` + s[i:j] + `"`)
			} else {
				b.WriteString(s[i:j])
			}
			i = j
		case c == ',' && (nextNonSpace(i+1) == '}' || nextNonSpace(i+1) == ']'):
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// findUpdateParams finds updateVisitorInfoSrc.params anywhere in doc (the
// message may be given whole or from "ext" down; an ext serialized as a
// JSON string is read too).
func findUpdateParams(doc any) (map[string]string, bool) {
	if str, ok := doc.(string); ok && strings.HasPrefix(strings.TrimSpace(str), "{") && strings.Contains(str, "updateVisitorInfoSrc") {
		var inner any
		if json.Unmarshal([]byte(str), &inner) == nil {
			return findUpdateParams(inner)
		}
	}
	if list, ok := doc.([]any); ok {
		for _, x := range list {
			if p, ok := findUpdateParams(x); ok {
				return p, true
			}
		}
		return nil, false
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, false
	}
	if u, ok := m["updateVisitorInfoSrc"].(map[string]any); ok {
		if p, ok := u["params"].(map[string]any); ok {
			out := make(map[string]string, len(p))
			for k, v := range p {
				switch x := v.(type) {
				case string:
					out[k] = x
				default:
					b, _ := json.Marshal(x)
					out[k] = string(b)
				}
			}
			return out, true
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if p, ok := findUpdateParams(m[k]); ok {
			return p, true
		}
	}
	return nil, false
}

// simulation collects the steps of a run.
type simulation struct {
	out Simulation
	// sealed names the params opened only by decoding (adapter.ViewSealed).
	sealed []string
}

// SimulationCodes are every detail and note code this file gives a
// simulation step, and the codes its params name (params whose name ends in
// Code, or in Codes for a comma-separated list); a test checks this list
// against the codes this file uses. AllSimulationCodes adds the platforms'.
var SimulationCodes = []string{
	"sim.input.slug_mismatch", "sim.input.read",
	"sim.integration.ok", "sim.keys.none", "sim.keys.one", "sim.keys.two",
	"sim.failed", "sim.advice.not_found",
	"sim.decode.update.failed", "sim.decode.update.dropped", "sim.decode.update.ok",
	"sim.decode.ok", "sim.agent.none", "sim.agent.named", "sim.note.reading", "sim.note.dropped",
	"sim.chosen.plain", "sim.chosen.decrypted", "sim.why.known_identity", "sim.why.known_visitor", "sim.why.preferred_decrypted",
	"sim.checks.none", "sim.checks.passed", "sim.check.known_agent", "sim.check.chatwoot", "sim.check.single_use",
	"sim.visitor.new", "sim.visitor.found",
	"sim.match.linked", "sim.match.unlinked", "sim.match.would_link", "sim.match.not_linked",
	"sim.trace.identity.found", "sim.trace.identity.none", "sim.trace.identifier.found", "sim.trace.identifier.none",
	"sim.trace.rules.none", "sim.trace.rule.skipped", "sim.trace.rule.none", "sim.trace.rule.one", "sim.trace.rule.many", "sim.trace.other",
	"sim.layout",
}

// AllSimulationCodes are every code a simulation may carry with the
// platforms of reg: SimulationCodes and each platform's decrypt advice. The
// console words each one (frontend/src/admin/codes.json).
func AllSimulationCodes(reg *platforms.Registry) []string {
	return append(slices.Clone(SimulationCodes), reg.DecryptAdviceCodes()...)
}

// step adds a step worded in English by format and args, and as code with
// params; it returns the step so that notes can be added.
func (sm *simulation) step(step StepName, status StepStatus, code string, params map[string]string, format string, args ...any) *SimStep {
	st := SimStep{Step: step, Status: status, Detail: fmt.Sprintf(format, args...), DetailCode: code}
	if len(params) > 0 {
		st.Params = params
	}
	sm.out.Steps = append(sm.out.Steps, st)
	return &sm.out.Steps[len(sm.out.Steps)-1]
}

// note adds a coded sentence to st (its English is already in st.Detail).
func note(st *SimStep, code string, params map[string]string) {
	if code == "" {
		return
	}
	c := CodedText{Code: code}
	if len(params) > 0 {
		c.Params = params
	}
	st.Notes = append(st.Notes, c)
}

// fail adds a failed step: the error's code and English message (the
// console words the code where its catalogue knows it), then the advice.
func (sm *simulation) fail(step StepName, err error, adviceCode, advice string) {
	code, msg := "internal", "an internal error; see the server log"
	if e := apperr.As(err); e != nil {
		code, msg = e.Code, e.Message
	}
	params := map[string]string{"error": code, "message": msg}
	if advice != "" {
		msg += ". " + advice
	}
	st := SimStep{Step: step, Status: StatusFailed, Detail: msg, Code: code, DetailCode: "sim.failed", Params: params}
	note(&st, adviceCode, nil)
	sm.out.Steps = append(sm.out.Steps, st)
}

// keysCode words how many keys decode a session's params.
func keysCode(n int) string {
	switch n {
	case 1:
		return "sim.keys.one"
	case 2:
		return "sim.keys.two"
	}
	return "sim.keys.none"
}

// traceLines read the English lines matching traces (resolve.go) as codes.
var traceLines = []struct {
	re     *regexp.Regexp
	code   string
	params []string
}{
	{regexp.MustCompile(`^channel identity: contact (\d+) has the (\S+) id (.*)$`), "sim.trace.identity.found", []string{"contact", "channel", "visitor"}},
	{regexp.MustCompile(`^channel identity: no contact has the (\S+) id (.*?) as an identity`), "sim.trace.identity.none", []string{"channel", "visitor"}},
	{regexp.MustCompile(`^identifier: contact (\d+) has the external id`), "sim.trace.identifier.found", []string{"contact"}},
	{regexp.MustCompile(`^identifier: no contact has the external id`), "sim.trace.identifier.none", nil},
	{regexp.MustCompile(`^matching fields: this integration has no matching rules`), "sim.trace.rules.none", nil},
	{regexp.MustCompile(`^matching rule (.+?): skipped, the visitor has no verified`), "sim.trace.rule.skipped", []string{"rule"}},
	{regexp.MustCompile(`^matching rule (.+?): no contact has the same`), "sim.trace.rule.none", []string{"rule"}},
	{regexp.MustCompile(`^matching rule (.+?): exactly one contact \((\d+)\)`), "sim.trace.rule.one", []string{"rule", "contact"}},
	{regexp.MustCompile(`^matching rule (.+?): (\d+) or more contacts`), "sim.trace.rule.many", []string{"rule", "count"}},
}

// traceCode reads a matching trace line as a code and params;
// sim.trace.other (with the English line) when no pattern knows it.
func traceCode(line string) (string, map[string]string) {
	for _, tl := range traceLines {
		if m := tl.re.FindStringSubmatch(line); m != nil {
			params := map[string]string{}
			for i, name := range tl.params {
				params[name] = m[i+1]
			}
			return tl.code, params
		}
	}
	return "sim.trace.other", map[string]string{"text": line}
}

// Simulate runs what a session would do with in for the integration slug
// (a pasted URL's own slug wins), step by step, writing nothing but its
// audit line: the decoded params, the checks, the visitor and contact
// matching (every rule tried, told by the matcher's trace hook) and the
// layout that would apply. A failing step ends the run and is part of the
// answer; only an internal fault is an error.
func (s *Service) Simulate(ctx context.Context, slug string, in SimulationInput, actor, requestID string) (Simulation, error) {
	sm := &simulation{out: Simulation{Input: in.Kind, Params: []SimParam{}, Steps: []SimStep{}}}
	itg, keys, ok, err := s.simulateIntegration(ctx, sm, slug, in)
	if err != nil || !ok {
		if err == nil {
			err = s.auditSimulation(ctx, nil, in, sm, actor, requestID)
		}
		return sm.out, err
	}
	done := func(err error) (Simulation, error) {
		if err != nil {
			return Simulation{}, err
		}
		return sm.out, s.auditSimulation(ctx, &itg.ID, in, sm, actor, requestID)
	}
	s.showParams(sm, itg, keys, in.params())
	if itg.Kind == model.KindEasemob && in.Kind == InputUpdateVisitorInfoSrc && in.Params["visitorImId"] == "" {
		simulateUpdateMessage(sm, itg, in, len(keys))
		return done(nil)
	}
	claims, ok, err := s.simulateDecode(ctx, sm, itg, in)
	if err != nil || !ok {
		return done(err)
	}
	checked, ok, err := s.simulateChecks(ctx, sm, itg, claims)
	if err != nil || !ok {
		return done(err)
	}
	v, err := s.simulateVisitor(ctx, sm, itg, claims)
	if err != nil {
		return done(err)
	}
	if err := s.simulateContact(ctx, sm, v, checked, itg.Options); err != nil {
		return done(err)
	}
	return done(s.simulateLayout(ctx, sm, itg, checked))
}

// simulateIntegration reads the input's slug and finds the integration and
// its keys; ok false when the run ends there (an unknown integration, a
// failed step in sm).
func (s *Service) simulateIntegration(ctx context.Context, sm *simulation, slug string, in SimulationInput) (integration.Integration, []string, bool, error) {
	if slug == "" {
		slug = in.Slug
	}
	switch {
	case in.Slug != "" && in.Slug != slug:
		sm.step(StepInput, StatusWarning, "sim.input.slug_mismatch", map[string]string{"slug": truncate(in.Slug, 64)},
			"the URL names integration %s, not the one selected; simulating %s", truncate(in.Slug, 64), truncate(in.Slug, 64))
		slug = in.Slug
	default:
		sm.step(StepInput, StatusOK, "sim.input.read", map[string]string{"kind": string(in.Kind), "count": strconv.Itoa(len(in.Params))},
			"read as %s with %d parameters", in.Kind, len(in.Params))
	}
	itg, err := s.integrations.Get(ctx, slug)
	if err != nil {
		if apperr.KindOf(err) != apperr.NotFound {
			return itg, nil, false, err
		}
		sm.fail(StepIntegration, err, "sim.advice.not_found", "The URL configured in the platform does not match any integration: copy it again from the integrations page")
		return itg, nil, false, nil
	}
	keys, err := s.integrations.Keys(itg.Integration)
	if err != nil {
		return itg, nil, false, err
	}
	sm.step(StepIntegration, StatusOK, "sim.integration.ok", map[string]string{"slug": itg.Slug, "kind": itg.Kind, "keysCode": keysCode(len(keys))},
		"integration %s (%s), decoding with %s", itg.Slug, itg.Kind, keyWords(len(keys)))
	return itg, keys, true, nil
}

// keyWords says in English with how many keys params are decoded.
func keyWords(n int) string {
	switch n {
	case 1:
		return "its key"
	case 2:
		return "its key and the previous key (still in its grace period)"
	}
	return "no key"
}

// simulateUpdateMessage ends the run of an Easemob updateVisitorInfoSrc
// message without visitorImId: it says which of its params open, since
// Easemob appends them to the sidebar URL with the system params a session
// needs.
func simulateUpdateMessage(sm *simulation, itg integration.Integration, in SimulationInput, nkeys int) {
	failed, dropped, undecryptable := 0, 0, 0
	for _, p := range sm.out.Params {
		switch {
		case p.How == HowFailed:
			failed++
		case p.How == HowDropped:
			dropped++
			if p.Dropped == adapter.DropNotDecryptable {
				undecryptable++
			}
		}
	}
	advice := decryptAdvice(itg)
	counts := func(n int) map[string]string {
		return map[string]string{"count": strconv.Itoa(n), "total": strconv.Itoa(len(in.Params)), "keysCode": keysCode(nkeys)}
	}
	switch {
	case failed > 0:
		st := sm.step(StepDecode, StatusFailed, "sim.decode.update.failed", counts(failed),
			"%d of %d params could not be decrypted with %s. %s", failed, len(in.Params), keyWords(nkeys), advice.Text)
		st.Code = adapter.CodeDecryptFailed
		note(st, advice.Code, nil)
	case dropped > 0:
		words := ""
		if undecryptable > 0 && advice.Text != "" {
			words = ". " + advice.Text
		}
		st := sm.step(StepDecode, StatusWarning, "sim.decode.update.dropped", counts(dropped),
			"%d of %d params would be dropped (see each one's reason); the others open with %s%s", dropped, len(in.Params), keyWords(nkeys), words)
		if undecryptable > 0 {
			note(st, advice.Code, nil)
		}
	default:
		sm.step(StepDecode, StatusOK, "sim.decode.update.ok", map[string]string{"keysCode": keysCode(nkeys)},
			"every param opens with %s; Easemob appends them to the sidebar URL with easemobId and visitorImId, so paste a whole URL to see the matching", keyWords(nkeys))
	}
}

// simulateDecode decodes the params as a session would, picks the reading
// of the visitor id and says so in one decode step: a warning when a
// session would ignore params or had to choose a reading. ok false when
// decoding failed (a failed step in sm).
func (s *Service) simulateDecode(ctx context.Context, sm *simulation, itg integration.Integration, in SimulationInput) (adapter.Claims, bool, error) {
	claims, err := s.decode(itg, in.params())
	if err != nil {
		e := apperr.As(err)
		if e == nil {
			return claims, false, err
		}
		var advice adapter.Sentence
		if e.Code == adapter.CodeDecryptFailed || e.Code == adapter.CodeInvalidToken {
			advice = decryptAdvice(itg)
		}
		sm.fail(StepDecode, err, advice.Code, advice.Text)
		return claims, false, nil
	}
	s.showClaims(sm, claims)
	claims, why, err := s.pickVisitorID(ctx, itg.Integration, claims)
	if err != nil {
		return claims, false, err
	}
	var notes []string
	var noteCodes []CodedText
	if why != "" {
		words, chosen := showReading(sm, claims.VisitorID, why)
		notes = append(notes, words)
		noteCodes = append(noteCodes, CodedText{Code: "sim.note.reading", Params: map[string]string{"chosenCode": "sim.chosen." + chosen, "whyCode": "sim.why." + why}})
	}
	if len(claims.Dropped) > 0 {
		words, codes := droppedNotes(itg, claims.Dropped)
		notes, noteCodes = append(notes, words), append(noteCodes, codes...)
	}
	agentWords, agentCode := "no agent named", "sim.agent.none"
	if l := claims.Agent.Label(); l != "" {
		agentWords, agentCode = "agent "+truncate(l, 64), "sim.agent.named"
	}
	decodedParams := map[string]string{"channel": claims.Channel, "visitor": truncate(claims.VisitorID, 64), "agentCode": agentCode,
		"agent": truncate(claims.Agent.Label(), 64), "lang": claims.Lang}
	decoded := fmt.Sprintf("channel %s, visitor id %s, %s, language %q", claims.Channel, truncate(claims.VisitorID, 64), agentWords, claims.Lang)
	if len(notes) == 0 {
		sm.step(StepDecode, StatusOK, "sim.decode.ok", decodedParams, "%s", decoded)
	} else {
		st := sm.step(StepDecode, StatusWarning, "sim.decode.ok", decodedParams, "%s; %s", decoded, strings.Join(notes, "; "))
		st.Notes = noteCodes
	}
	return claims, true, nil
}

// droppedNotes words the params a session would ignore, with the
// platform's decrypt advice when one did not decrypt.
func droppedNotes(itg integration.Integration, dropped []adapter.DroppedParam) (string, []CodedText) {
	names := make([]string, 0, len(dropped))
	var advice adapter.Sentence
	for _, d := range dropped {
		names = append(names, d.Name+" ("+d.Reason+")")
		if d.Reason == adapter.DropNotDecryptable {
			advice = decryptAdvice(itg)
		}
	}
	list := truncate(strings.Join(names, ", "), 400)
	words := fmt.Sprintf("a session ignores %d params: %s", len(names), list)
	codes := []CodedText{{Code: "sim.note.dropped", Params: map[string]string{"count": strconv.Itoa(len(names)), "names": list}}}
	if advice.Code != "" {
		words += ". " + advice.Text
		codes = append(codes, CodedText{Code: advice.Code})
	}
	return words, codes
}

// simulateChecks runs the session's checks (verify) without consuming a
// signed token's single use, and returns the claims a session would match
// with: Chatwoot's own answer where it is asked, not the message's claims.
// ok false when a check failed (a failed step in sm).
func (s *Service) simulateChecks(ctx context.Context, sm *simulation, itg integration.Integration, claims adapter.Claims) (adapter.Claims, bool, error) {
	checked := claims
	checked.TokenID = ""
	checked, err := s.verify(ctx, itg, checked)
	if err != nil {
		if apperr.As(err) == nil {
			return checked, false, err
		}
		sm.fail(StepChecks, err, "", "")
		return checked, false, nil
	}
	opts := itg.Options
	checks, checkCodes := []string{}, []string{}
	if opts.RequireKnownAgent {
		checks, checkCodes = append(checks, "the agent is one an admin imported"), append(checkCodes, "sim.check.known_agent")
	}
	if itg.Kind == model.KindChatwoot && opts.ChatwootURL != "" && itg.APIToken != "" {
		checks, checkCodes = append(checks, "Chatwoot confirms the contact is in the conversation"), append(checkCodes, "sim.check.chatwoot")
	}
	if claims.TokenID != "" {
		checks, checkCodes = append(checks, "the token's single use is not consumed by the simulator"), append(checkCodes, "sim.check.single_use")
	}
	if len(checks) == 0 {
		sm.step(StepChecks, StatusOK, "sim.checks.none", nil, "no further checks are configured for this integration")
	} else {
		sm.step(StepChecks, StatusOK, "sim.checks.passed", map[string]string{"checksCodes": strings.Join(checkCodes, ",")},
			"passed: %s", strings.Join(checks, "; "))
	}
	return checked, true, nil
}

// simulateVisitor finds the visitor a session would open, or the one it
// would create (ID 0).
func (s *Service) simulateVisitor(ctx context.Context, sm *simulation, itg integration.Integration, claims adapter.Claims) (model.Visitor, error) {
	var v model.Visitor
	err := s.db.WithContext(ctx).Where("integration_id = ? AND channel = ? AND external_id = ?", itg.ID, claims.Channel, claims.VisitorID).Take(&v).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		v = model.Visitor{Channel: claims.Channel, ExternalID: claims.VisitorID}
		sm.step(StepVisitor, StatusOK, "sim.visitor.new", map[string]string{"channel": claims.Channel, "visitor": truncate(claims.VisitorID, 64)},
			"no visitor %s/%s yet: the first session creates it", claims.Channel, truncate(claims.VisitorID, 64))
	case err != nil:
		return v, fmt.Errorf("find visitor: %w", err)
	default:
		sm.step(StepVisitor, StatusOK, "sim.visitor.found", map[string]string{"id": strconv.FormatInt(v.ID, 10), "channel": v.Channel,
			"visitor": truncate(v.ExternalID, 64), "firstSeen": v.CreatedAt.UTC().Format(time.RFC3339), "lastSeen": v.LastSeenAt.UTC().Format(time.RFC3339)},
			"visitor %d (%s/%s), first seen %s, last seen %s", v.ID, v.Channel, truncate(v.ExternalID, 64),
			v.CreatedAt.UTC().Format("2006-01-02 15:04 MST"), v.LastSeenAt.UTC().Format("2006-01-02 15:04 MST"))
		vv := visitorView(v)
		sm.out.Visitor = &vv
	}
	return v, nil
}

// simulateLayout says which layout a session would show, and why.
func (s *Service) simulateLayout(ctx context.Context, sm *simulation, itg integration.Integration, checked adapter.Claims) error {
	l, reason, err := s.layouts.ResolveReason(ctx, layoutWho(itg, vouchedAgent(itg, checked)))
	if err != nil {
		return err
	}
	sm.out.Layout = &LayoutRef{Name: l.Name, Reason: reason}
	params := map[string]string{"reasonCode": reason.Code}
	for k, v := range reason.Params {
		params[k] = v
	}
	params["name"] = l.Name
	sm.step(StepLayout, StatusOK, "sim.layout", params, "layout %q: %s", l.Name, reason.Text)
	return nil
}

// simulateContact explains how v's contact is (or would be) found.
func (s *Service) simulateContact(ctx context.Context, sm *simulation, v model.Visitor, c adapter.Claims, opts integration.Options) error {
	db := s.db.WithContext(ctx)
	var contactID int64
	var m Match
	who := map[string]string{"channel": v.Channel, "visitor": truncate(v.ExternalID, 64)}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, x := range who {
			out[k] = x
		}
		for k, x := range extra {
			out[k] = x
		}
		return out
	}
	switch {
	case v.ID != 0 && v.ContactID != nil:
		contactID = *v.ContactID
		m = linkedMatch(v)
		sm.step(StepMatch, StatusOK, "sim.match.linked", with(map[string]string{"method": v.LinkMethod}), "already linked (%s): %s", v.LinkMethod, m.Reason)
	case v.ID != 0 && v.LinkMethod == LinkManual:
		m = unlinkedMatch(false)
		sm.step(StepMatch, StatusWarning, "sim.match.unlinked", with(nil), "%s", m.Reason)
	default:
		method, _, id, candidates, err := s.match(ctx, v.ID, c, opts, func(line string) {
			code, params := traceCode(line)
			sm.step(StepMatch, StatusOK, code, params, "%s", line)
		})
		if err != nil {
			return err
		}
		if id != 0 {
			contactID = id
			m = linkedMatch(model.Visitor{Channel: v.Channel, ExternalID: v.ExternalID, LinkMethod: method})
			sm.step(StepMatch, StatusOK, "sim.match.would_link", with(map[string]string{"contact": strconv.FormatInt(id, 10)}), "would link contact %d: %s", id, m.Reason)
		} else {
			m = notLinkedMatch(v, candidates)
			sm.step(StepMatch, StatusWarning, "sim.match.not_linked", with(nil), "not linked: %s", m.Reason)
		}
	}
	sm.out.Match = &m
	if contactID != 0 {
		var ct model.Contact
		err := db.Select("id", "name").Where("id = ?", contactID).Take(&ct).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
		case err != nil:
			return fmt.Errorf("load contact: %w", err)
		default:
			sm.out.Contact = &ContactRef{ID: ct.ID, Name: ct.Name}
		}
	}
	return nil
}

// decryptAdvice is itg's platform's advice when params do not decrypt or
// verify under its key (Spec.DecryptAdvice).
func decryptAdvice(itg integration.Integration) adapter.Sentence {
	if itg.Platform == nil {
		return adapter.Sentence{}
	}
	return itg.Platform.Spec().DecryptAdvice
}

// shorten keeps long received values readable.
func shorten(v string) string {
	if len(v) <= 48 {
		return v
	}
	return v[:40] + "…(" + strconv.Itoa(len(v)) + " chars)"
}

// showReading says which reading of visitorImId a session takes, and why
// (a Reading* code), in words and as the reading taken (plain or
// decrypted). The param's view holds the decrypted reading, the one as
// received in Reading.Other (easemobParamView).
func showReading(sm *simulation, taken, why string) (string, string) {
	for i := range sm.out.Params {
		p := &sm.out.Params[i]
		if p.Name != "visitorImId" || p.Reading == nil || p.How != HowDecrypted {
			continue
		}
		decrypted, received := p.Value, p.Reading.Other
		p.Reading.Why = why
		if taken != decrypted {
			p.Reading.Chosen, p.Reading.Other = ChosenPlain, decrypted
			p.How, p.Value = HowPlain, received
		}
		return fmt.Sprintf("visitorImId reads two ways (as sent, and decrypted with the key: Easemob's option that encrypts easemobId and visitorImId may be on while this integration does not require it); taking the %s reading (%s)",
			p.Reading.Chosen, why), p.Reading.Chosen
	}
	return "", ChosenDecrypted
}

// paramView shows one param as its platform reads it.
func paramView(p adapter.ParamView) SimParam {
	out := SimParam{Name: p.Name, Received: shorten(p.Received), Value: p.Value, How: HowPlain}
	switch p.How {
	case adapter.ReadDecrypted:
		out.How = HowDecrypted
	case adapter.ReadDropped:
		out.How, out.Value, out.Dropped = HowDropped, "", p.Reason
	case adapter.ViewFailed, adapter.ViewSealed:
		// A sealed param (customParams, a signed token) is opened below,
		// once decoded (showClaims).
		out.How, out.Value = HowFailed, ""
	}
	if p.Alternative != "" {
		out.Reading = &SimReading{Chosen: ChosenDecrypted, Why: ReadingPreferredDecrypted, Other: p.Alternative}
	}
	return out
}

// showParams lists each received param as itg's platform reads it
// (Platform.Views): in clear, decrypted, dropped and why, failed, or sealed
// until decoded.
func (s *Service) showParams(sm *simulation, itg integration.Integration, keys []string, params adapter.Params) {
	if itg.Platform == nil {
		for _, v := range adapter.PlainViews(params) {
			sm.out.Params = append(sm.out.Params, paramView(v))
		}
		return
	}
	for _, v := range itg.Platform.Views(keys, itg.Options, params) {
		if v.How == adapter.ViewSealed {
			sm.sealed = append(sm.sealed, v.Name)
		}
		sm.out.Params = append(sm.out.Params, paramView(v))
	}
}

// showClaims marks the sealed params (ShareCRM's customParams, a signed
// token) as opened and lists the identity claims they carried.
func (s *Service) showClaims(sm *simulation, c adapter.Claims) {
	for i, p := range sm.out.Params {
		if slices.Contains(sm.sealed, p.Name) && p.How == HowFailed {
			sm.out.Params[i].How, sm.out.Params[i].Value = HowVerified, "(opened: see the fields below)"
		}
	}
	names := make([]string, 0, len(c.Verified))
	for k := range c.Verified {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if k == "identifier" && sm.out.Input == InputSidebarURL {
			continue
		}
		sm.out.Params = append(sm.out.Params, SimParam{Name: "verified." + k, Received: "", Value: c.Verified[k], How: HowVerified})
	}
}

func (s *Service) auditSimulation(ctx context.Context, integrationID *int64, in SimulationInput, sm *simulation, actor, requestID string) error {
	result := "ok"
	for _, st := range sm.out.Steps {
		if st.Status == StatusFailed {
			result = "failed at " + string(st.Step)
		}
	}
	ev := audit.Event{Action: ActionSimulate, Actor: actor, IntegrationID: integrationID, RequestID: requestID, At: s.now(),
		Detail: map[string]string{"input": string(in.Kind), "result": result}}
	if sm.out.Visitor != nil {
		id := sm.out.Visitor.ID
		ev.VisitorID = &id
	}
	if sm.out.Contact != nil {
		id := sm.out.Contact.ID
		ev.ContactID = &id
	}
	return s.audit.Record(ctx, ev)
}
