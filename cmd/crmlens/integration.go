package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/platforms"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

func newIntegration(reg *platforms.Registry) *cobra.Command {
	cmd := &cobra.Command{Use: "integration", Short: "Manage platform integrations"}
	cmd.AddCommand(newIntegrationCreate(reg), newIntegrationList(reg), newIntegrationRotate(), newIntegrationUpdate(reg),
		newIntegrationSetDisabled(true), newIntegrationSetDisabled(false), newIntegrationDelete())
	return cmd
}

// optionFlags binds the per-kind option flags shared by create and update.
type optionFlags struct {
	encryptedSystemParams bool
	tenantID              string
	requireKnownAgent     bool
	verificationFields    []string
	matchingFields        []string
	chatwootURL           string
	chatwootToken         string
	agentActions          string
	identityParam         string
	fieldParams           []string
	sobotSysNum           string
}

// optionFlag names each option flag's option (adapter.Options' JSON name):
// its help says which kinds own it, as the registry does.
var optionFlag = []struct{ flag, option string }{
	{"require-encrypted-system-params", "encryptedSystemParams"},
	{"tenant-id", "tenantId"},
	{"require-known-agent", "requireKnownAgent"},
	{"verification-fields", "verificationFields"},
	{"matching-fields", ""},
	{"chatwoot-url", "chatwootUrl"},
	{"identity-param", "identityParam"},
	{"field-param", "fieldParams"},
	{"sobot-sysnum", "sobotSysNum"},
}

// owners prefixes help with the kinds of reg that own option ("" for
// every kind).
func owners(reg *platforms.Registry, option, help string) string {
	if option == "" {
		return help
	}
	var kinds []string
	for _, p := range reg.All() {
		if slices.Contains(p.Spec().Options, option) {
			kinds = append(kinds, p.Spec().Kind)
		}
	}
	return strings.Join(kinds, ", ") + ": " + help
}

func (o *optionFlags) bind(cmd *cobra.Command, reg *platforms.Registry) {
	f := cmd.Flags()
	h := func(flag, help string) string {
		for _, of := range optionFlag {
			if of.flag == flag {
				return owners(reg, of.option, help)
			}
		}
		return help
	}
	f.BoolVar(&o.encryptedSystemParams, "require-encrypted-system-params", false, h("require-encrypted-system-params", "refuse easemobId/visitorImId in clear (turn on Easemob's option to encrypt them)"))
	f.StringVar(&o.tenantID, "tenant-id", "", h("tenant-id", "the expected tenantId, compared after decryption"))
	f.BoolVar(&o.requireKnownAgent, "require-known-agent", false, h("require-known-agent", "serve only agents an admin declared (crmlens import --object agents)"))
	f.StringSliceVar(&o.verificationFields, "verification-fields", nil, h("verification-fields", "fields that identify a visitor (default full_name,phone)"))
	f.StringArrayVar(&o.matchingFields, "matching-fields", nil, "fields that associate a visitor with a contact, tried in order, e.g. --matching-fields phone --matching-fields full_name+phone")
	f.StringVar(&o.chatwootURL, "chatwoot-url", "", h("chatwoot-url", "the Chatwoot address, e.g. https://app.chatwoot.com, to check contexts against"))
	f.StringVar(&o.chatwootToken, "chatwoot-token", "", "chatwoot: an API access token crmlens uses to check contexts")
	f.StringVar(&o.identityParam, "identity-param", "", h("identity-param", "the param naming the customer (default customer_token)"))
	f.StringArrayVar(&o.fieldParams, "field-param", nil, h("field-param", "an identity claim read from a param, FIELD=PARAM, repeatable (default phone=cellphone and email=email)"))
	f.StringVar(&o.sobotSysNum, "sobot-sysnum", "", h("sobot-sysnum", "the company's sysNum (Sobot: Settings > Company info), which each URL must name"))
	f.StringVar(&o.agentActions, "agent-actions", "", "what agents may do where nothing vouches for them (easemob without a key and --require-known-agent, chatwoot, sobot): read (only the matched contact; the default for new integrations) or all (also search contacts and link the visitor, which anyone with the URL then can)")
}

func (o *optionFlags) options() (integration.Options, error) {
	opts := integration.Options{
		EncryptedSystemParams: o.encryptedSystemParams, TenantID: o.tenantID, RequireKnownAgent: o.requireKnownAgent,
		VerificationFields: o.verificationFields, ChatwootURL: o.chatwootURL, AgentActions: o.agentActions,
		IdentityParam: o.identityParam, SobotSysNum: o.sobotSysNum,
	}
	for _, rule := range o.matchingFields {
		opts.MatchingFields = append(opts.MatchingFields, strings.Split(rule, "+"))
	}
	for _, fp := range o.fieldParams {
		field, param, ok := strings.Cut(fp, "=")
		if !ok || strings.TrimSpace(field) == "" || strings.TrimSpace(param) == "" {
			return opts, fmt.Errorf("--field-param %q is not FIELD=PARAM, e.g. --field-param phone=cellphone", fp)
		}
		if opts.FieldParams == nil {
			opts.FieldParams = map[string]string{}
		}
		opts.FieldParams[strings.TrimSpace(field)] = strings.TrimSpace(param)
	}
	return opts, nil
}

// kindHelp words reg's kinds for --kind and usage lines.
func kindHelp(reg *platforms.Registry, sep string) string {
	return strings.Join(reg.Kinds(), sep)
}

// keyHelp says what each kind's key is, and which kinds may have none.
func keyHelp(reg *platforms.Registry) (key, noKey string) {
	var keys, optional []string
	for _, p := range reg.All() {
		sp := p.Spec()
		if sp.Key == adapter.KeyNone {
			continue
		}
		keys = append(keys, sp.Kind+": "+sp.KeyHelp)
		if sp.Key == adapter.KeyOptional {
			optional = append(optional, sp.Kind)
		}
	}
	return "the platform's key (" + strings.Join(keys, "; ") + "); generated when omitted",
		strings.Join(optional, ", ") + ": no key, the platform's mode where nothing is signed or encrypted (protection: low)"
}

// originHelp names each kind's usual origin.
func originHelp(reg *platforms.Registry) string {
	var usual []string
	for _, p := range reg.All() {
		if o := p.Spec().UsualOrigin; o != "" {
			usual = append(usual, p.Spec().Kind+" "+o)
		}
	}
	return "an origin allowed to frame the sidebar (repeatable); default the kind's usual one: " + strings.Join(usual, ", ")
}

func newIntegrationCreate(reg *platforms.Registry) *cobra.Command {
	var in integration.Input
	var of optionFlags
	cmd := &cobra.Command{
		Use:   "create --kind " + kindHelp(reg, "|") + " [--name N] [--slug S] [--key K | --no-key] [--origin URL ...]",
		Short: "Create an integration and print the URL to paste into the platform",
		Args:  cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			ctx := cmd.Context()
			if err := checkKeyFlags(cmd, in); err != nil {
				return err
			}
			opts, err := of.options()
			if err != nil {
				return err
			}
			in.Options = opts
			in.APIToken = of.chatwootToken
			usual := ""
			p, known := reg.Get(in.Kind)
			if known && !cmd.Flags().Changed("origin") {
				if usual = p.Spec().UsualOrigin; usual != "" {
					in.Origins = []string{usual}
				}
			}
			row, key, err := e.integrations().Create(ctx, in, func(tx *gorm.DB, row model.Integration) error {
				return cliRecord(ctx, tx, audit.Event{Action: audit.ActionIntegrationCreate, IntegrationID: &row.ID,
					Detail: map[string]string{"kind": row.Kind}})
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "integration %q (%s, named %q) created\n", row.Slug, row.Kind, row.Name)
			fmt.Fprintf(out, "sidebar URL: %s/sidebar/%s\n", e.cfg.BaseURL(), row.Slug)
			if in.Key == "" && key != "" {
				fmt.Fprintf(out, "generated key (shown once; `crmlens integration list` shows it masked): %s\n", key)
			}
			if in.NoKey {
				fmt.Fprintln(out, "no key: nothing the platform sends is signed or encrypted, and anyone who has the URL can open any visitor")
			}
			if usual != "" {
				fmt.Fprintf(out, "origin: %s, the usual one for %s (no --origin given; pass --origin for a self-hosted platform)\n", usual, row.Kind)
			}
			if connect := p.Spec().Connect; in.NoKey && p.Spec().ConnectNoKey != "" {
				fmt.Fprintln(out, p.Spec().ConnectNoKey)
			} else if connect != "" {
				fmt.Fprintln(out, connect)
			}
			printProtection(out, e, row)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&in.Slug, "slug", "", "the last part of the sidebar URL (default: 128 random bits)")
	f.StringVar(&in.Kind, "kind", "", "one of "+kindHelp(reg, ", "))
	f.StringVar(&in.Name, "name", "", "a name for admins, shown in `crmlens integration list` and the console, e.g. \"Easemob – Shanghai support\" (default: the kind)")
	key, noKey := keyHelp(reg)
	f.StringVar(&in.Key, "key", "", key)
	f.BoolVar(&in.NoKey, "no-key", false, noKey)
	f.StringSliceVar(&in.Origins, "origin", nil, originHelp(reg))
	of.bind(cmd, reg)
	_ = cmd.MarkFlagRequired("kind")
	return cmd
}

// checkKeyFlags refuses an empty --key (it used to mean "generate one",
// which left a keyless Easemob tenant's clear params refused) and --key
// with --no-key.
func checkKeyFlags(cmd *cobra.Command, in integration.Input) error {
	given := cmd.Flags().Changed("key")
	switch {
	case given && in.NoKey:
		return errors.New("--no-key and --key contradict each other: give a key, or --no-key for none")
	case given && strings.TrimSpace(in.Key) == "":
		return errors.New("--key is empty: give the key set in the platform, leave --key out to generate one, or use --no-key (easemob) for no key, with every parameter in clear")
	}
	return nil
}

func printProtection(out io.Writer, e *env, row model.Integration) {
	opened, _ := e.integrations().Open(row) // options that do not parse show as none
	origins := integration.OriginsOf(row)
	p := integration.ProtectionOf(opened, origins)
	fmt.Fprintf(out, "framing: %s\n", integration.Framing(origins))
	fmt.Fprintf(out, "protection: %s — %s\n", p.Level, p.Summary)
	for _, a := range p.Advice {
		fmt.Fprintf(out, "  to do: %s\n", a)
	}
}

func newIntegrationList(reg *platforms.Registry) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List integrations with their names, masked keys, states and protection levels",
		Args:  cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			ctx := cmd.Context()
			svc := e.integrations()
			rows, err := svc.List(ctx)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(rows) == 0 {
				where := "this database"
				if t, err := database.ParseURL(e.cfg.DatabaseURL); err == nil && t.Dialect == database.SQLite {
					where = t.Path
					if abs, err := filepath.Abs(t.Path); err == nil {
						where = abs
					}
				}
				fmt.Fprintf(out, "no integration in %s: create one with `crmlens integration create --kind %s --name NAME`,\n"+
					"or, if you expected some, run crmlens from the repository that holds them or set CRMLENS_DATABASE_URL\n", where, kindHelp(reg, "|"))
				return nil
			}
			tw := newTable(out)
			tw.row("SLUG", "NAME", "KIND", "STATE", "KEY", "ORIGINS", "PROTECTION")
			for _, row := range rows {
				opened, _ := svc.Open(row)
				origins := integration.OriginsOf(row)
				p := integration.ProtectionOf(opened, origins)
				key := svc.Masked(row)
				if row.PreviousKeyExpiresAt != nil && time.Now().Before(*row.PreviousKeyExpiresAt) {
					key += " (previous key valid until " + row.PreviousKeyExpiresAt.Format(time.RFC3339) + ")"
				}
				if key == "" {
					key = "(none)"
				}
				framedBy := strings.Join(origins, " ")
				if len(origins) == 0 {
					framedBy = "(none: no platform can frame it)"
				}
				tw.row(row.Slug, row.Name, row.Kind, stateOf(row), key, framedBy, string(p.Level))
			}
			if err := tw.flush(); err != nil {
				return err
			}
			for _, row := range rows {
				fmt.Fprintf(out, "\n%s:\n", row.Slug)
				if row.DisabledAt != nil {
					fmt.Fprintf(out, "disabled since %s: the sidebar refuses its sessions (crmlens integration enable --slug %s)\n", row.DisabledAt.UTC().Format(time.RFC3339), row.Slug)
				}
				printProtection(out, e, row)
			}
			return nil
		}),
	}
}

// stateOf is "enabled" or "disabled".
func stateOf(row model.Integration) string {
	if row.DisabledAt != nil {
		return "disabled"
	}
	return "enabled"
}

func newIntegrationSetDisabled(disabled bool) *cobra.Command {
	var slug string
	use, short, action := "enable", "Enable a disabled integration again", integration.ActionEnable
	if disabled {
		use, short, action = "disable", "Disable an integration: its sidebar refuses sessions (403 integration_disabled) until enabled; nothing is deleted", integration.ActionDisable
	}
	cmd := &cobra.Command{
		Use:   use + " --slug S",
		Short: short,
		Args:  cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			ctx := cmd.Context()
			row, changed, err := e.integrations().SetDisabled(ctx, slug, disabled, func(tx *gorm.DB, row model.Integration) error {
				return cliRecord(ctx, tx, audit.Event{Action: action, IntegrationID: &row.ID})
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case !changed:
				fmt.Fprintf(out, "integration %q was already %s; nothing changed\n", row.Slug, stateOf(row))
			case disabled:
				fmt.Fprintf(out, "integration %q disabled: its sidebar refuses every new session (one already open ends within %d minutes); `crmlens integration enable --slug %s` undoes it\n",
					row.Slug, int(sessiontoken.TTL.Minutes()), row.Slug)
			default:
				fmt.Fprintf(out, "integration %q enabled: its sidebar serves visitors again\n", row.Slug)
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&slug, "slug", "", "the integration")
	_ = cmd.MarkFlagRequired("slug")
	return cmd
}

func newIntegrationDelete() *cobra.Command {
	var slug string
	cmd := &cobra.Command{
		Use:   "delete --slug S",
		Short: "Delete an integration and its visitors (their links to contacts); contacts, layouts and the audit trail are kept",
		Long: "Deletes the integration, its visitors with their links to contacts and \"not this person\" rejections,\n" +
			"and its used signed-link ids. Contacts, layouts, agents and every audit event are kept, and the deletion\n" +
			"is audited with the slug, kind and name. To keep the visitors' links, disable it instead.",
		Args: cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			ctx := cmd.Context()
			d, err := e.integrations().Delete(ctx, slug, func(tx *gorm.DB, d integration.Deleted) error {
				return cliRecord(ctx, tx, audit.Event{Action: integration.ActionDelete, IntegrationID: &d.Integration.ID,
					Detail: integration.DeletedDetail(d)})
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "integration %q deleted with %s; contacts and the audit trail are kept\n", d.Integration.Slug, count(int(d.Visitors), "visitors"))
			return nil
		}),
	}
	cmd.Flags().StringVar(&slug, "slug", "", "the integration")
	_ = cmd.MarkFlagRequired("slug")
	return cmd
}

func newIntegrationRotate() *cobra.Command {
	var slug, key string
	var grace time.Duration
	cmd := &cobra.Command{
		Use:   "rotate-key --slug S [--key K] [--grace 24h]",
		Short: "Replace an integration's key; the previous one stays valid for a grace period",
		Args:  cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			ctx := cmd.Context()
			if !cmd.Flags().Changed("grace") {
				grace = -1 // the configured CRMLENS_KEY_GRACE
			}
			row, newKey, err := e.integrations().RotateKey(ctx, slug, key, grace, func(tx *gorm.DB, row model.Integration) error {
				return cliRecord(ctx, tx, audit.Event{Action: audit.ActionKeyRotate, IntegrationID: &row.ID})
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if key == "" {
				fmt.Fprintf(out, "generated key (shown once): %s\n", newKey)
			}
			fmt.Fprintf(out, "integration %q has a new key; the previous key is accepted until %s\n", row.Slug, row.PreviousKeyExpiresAt.Format(time.RFC3339))
			return nil
		}),
	}
	cmd.Flags().StringVar(&slug, "slug", "", "the integration")
	cmd.Flags().StringVar(&key, "key", "", "the new key (generated when omitted)")
	cmd.Flags().DurationVar(&grace, "grace", 24*time.Hour, "how long the previous key stays valid (default CRMLENS_KEY_GRACE)")
	_ = cmd.MarkFlagRequired("slug")
	return cmd
}

func newIntegrationUpdate(reg *platforms.Registry) *cobra.Command {
	var slug, newSlug string
	var origins []string
	var regenerateSlug bool
	var of optionFlags
	cmd := &cobra.Command{
		Use:   "update --slug S [--new-slug N | --regenerate-slug] [--origin URL ...] [options]",
		Short: "Change an integration's slug, origins or options (options given replace the stored ones; --agent-actions alone changes only it)",
		Args:  cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			ctx := cmd.Context()
			var u integration.Update
			switch {
			case regenerateSlug:
				s := integration.NewSlug()
				u.NewSlug = &s
			case newSlug != "":
				u.NewSlug = &newSlug
			}
			if cmd.Flags().Changed("origin") {
				u.Origins = &origins
			}
			for _, o := range optionFlag {
				if cmd.Flags().Changed(o.flag) {
					opts, err := of.options()
					if err != nil {
						return err
					}
					u.Options = &opts
					break
				}
			}
			if u.Options == nil && cmd.Flags().Changed("agent-actions") {
				// --agent-actions alone keeps the other options stored
				// (as set: Get's defaults are not stored).
				in, err := e.integrations().Get(ctx, slug)
				if err != nil {
					return err
				}
				opts, err := adapter.ParseOptions(in.Integration.Options)
				if err != nil {
					return err
				}
				opts.AgentActions = of.agentActions
				u.Options = &opts
			}
			if cmd.Flags().Changed("chatwoot-token") {
				u.APIToken = &of.chatwootToken
			}
			detail := map[string]string{}
			if u.NewSlug != nil {
				detail["slug"] = "changed"
			}
			row, err := e.integrations().Apply(ctx, slug, u, func(tx *gorm.DB, row model.Integration) error {
				return cliRecord(ctx, tx, audit.Event{Action: audit.ActionIntegrationUpdate, IntegrationID: &row.ID, Detail: detail})
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "integration %q updated; sidebar URL: %s/sidebar/%s\n", row.Slug, e.cfg.BaseURL(), row.Slug)
			printProtection(out, e, row)
			return nil
		}),
	}
	cmd.Flags().StringVar(&slug, "slug", "", "the integration")
	cmd.Flags().StringVar(&newSlug, "new-slug", "", "a new slug (the old URL stops working)")
	cmd.Flags().BoolVar(&regenerateSlug, "regenerate-slug", false, "a new unguessable slug (the old URL stops working)")
	cmd.Flags().StringSliceVar(&origins, "origin", nil, "the origins allowed to frame the sidebar (replace the stored ones)")
	of.bind(cmd, reg)
	_ = cmd.MarkFlagRequired("slug")
	return cmd
}
