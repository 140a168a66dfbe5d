package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/admin"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sidebar"
	"github.com/crmlens/crmlens/internal/source"
)

func newLayout() *cobra.Command {
	cmd := &cobra.Command{Use: "layout", Short: "Keep layouts in version control: export, apply and delete"}
	apply := &cobra.Command{
		Use:   "apply FILE",
		Short: "Create or update the layouts in FILE (YAML or JSON): all of them, or none",
		Long: "A layout identical to the stored one is left as it is (\"unchanged\"), whatever version it carries.\n" +
			"A changed layout that carries `version` is refused when the stored one has moved on since (someone\n" +
			"changed it: a stale update); one without `version` replaces the stored one. The file format and the\n" +
			"version-control workflow (export, commit, edit, apply) are in docs/layouts.md.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("read layout file: %w", err)
			}
			docs, err := layout.ParseDocs(b)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			e, err := openEnv(cmd, true)
			if err != nil {
				return err
			}
			defer e.close()
			// All are checked, then written in one transaction with their
			// audit records: a file is applied whole or not at all.
			applied, err := layout.NewStore(e.db, nil).ApplyAll(ctx, docs, false, func(tx *gorm.DB, d layout.Doc) error {
				return cliRecord(ctx, tx, audit.Event{Action: audit.ActionLayoutChange,
					Detail: map[string]string{"layout": d.Name, "version": fmt.Sprint(d.Version)}})
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			changed := false
			for i, a := range applied {
				if a.Unchanged {
					fmt.Fprintln(out, unchangedSentence(a.Doc, docs[i].Version))
					continue
				}
				changed = true
				fmt.Fprintf(out, "layout %q applied: version %d\n", a.Name, a.Version)
			}
			if changed {
				fmt.Fprintf(out, "export again before your next edit, so the file carries the new versions: crmlens layout export > %s\n", args[0])
			}
			return nil
		},
	}
	export := &cobra.Command{
		Use:   "export",
		Short: "Write every stored layout as YAML documents to standard output",
		Args:  cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			ctx := cmd.Context()
			docs, err := layout.NewStore(e.db, nil).List(ctx)
			if err != nil {
				return err
			}
			if len(docs) == 0 {
				docs = []layout.Doc{layout.DefaultDoc()}
				fmt.Fprintln(cmd.OutOrStdout(), "# no layout is stored: this is the built-in default")
			}
			enc := yaml.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent(2)
			for _, d := range docs {
				if err := enc.Encode(d); err != nil {
					return err
				}
			}
			return enc.Close()
		}),
	}
	del := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a stored layout; agents it applied to get the next one by precedence (audited)",
		Args:  cobra.ExactArgs(1),
		RunE: withEnv(func(cmd *cobra.Command, args []string, e *env) error {
			ctx := cmd.Context()
			err := layout.NewStore(e.db, nil).Delete(ctx, args[0], func(tx *gorm.DB, d layout.Doc) error {
				return cliRecord(ctx, tx, audit.Event{Action: layout.ActionDelete,
					Detail: map[string]string{"layout": d.Name, "version": fmt.Sprint(d.Version)}})
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "layout %q deleted; remove it from your layout files too, or the next apply creates it again\n", args[0])
			return nil
		}),
	}
	cmd.AddCommand(apply, export, del)
	return cmd
}

// unchangedSentence says that stored, the layout a file describes as it
// is, was left as it is; fileVersion is the version the file carries (0:
// none), which may be older than the stored one when the file was not
// exported again after an apply.
func unchangedSentence(stored layout.Doc, fileVersion int64) string {
	s := fmt.Sprintf("layout %q unchanged: the stored layout (version %d) is what the file describes", stored.Name, stored.Version)
	if fileVersion != 0 && fileVersion != stored.Version {
		s += fmt.Sprintf("; the file still carries version %d (export again to bring it up to date)", fileVersion)
	}
	return s
}

// cliRecord writes the audit record of a change the CLI makes, on tx: the
// transaction of the change, so that both are written or neither.
func cliRecord(ctx context.Context, tx *gorm.DB, ev audit.Event) error {
	ev.Actor = "cli"
	return audit.New(tx).Record(ctx, ev)
}

func newAudit() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Read the audit trail"}
	var f audit.Filter
	var since, until string
	export := &cobra.Command{
		Use:   "export [--action A] [--actor X] [--since 2026-12-01|RFC3339] [--until 2026-12-03|RFC3339]",
		Short: "Write audit events as NDJSON to standard output, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if f.Since, err = parseTimeFlag("--since", since); err != nil {
				return err
			}
			if f.Until, err = parseTimeFlag("--until", until); err != nil {
				return err
			}
			ctx := cmd.Context()
			e, err := openEnv(cmd, true)
			if err != nil {
				return err
			}
			defer e.close()
			if err := checkAction(ctx, e, f.Action); err != nil {
				return err
			}
			n, err := audit.New(e.db).Export(ctx, f, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%s exported\n", count(n, "audit events"))
			return nil
		},
	}
	export.Flags().StringVar(&f.Action, "action", "", "only this action, e.g. context.read, field.reveal, visitor.link")
	export.Flags().StringVar(&f.Actor, "actor", "", "only this actor: an agent's id or e-mail, admin:EMAIL, or cli (changes made with crmlens)")
	export.Flags().Int64Var(&f.ContactID, "contact", 0, "only this contact id")
	export.Flags().StringVar(&since, "since", "", "from this day (2026-12-01, midnight UTC) or time (RFC 3339)")
	export.Flags().StringVar(&until, "until", "", "before this day (2026-12-03: up to its midnight UTC, excluded) or time (RFC 3339)")
	cmd.AddCommand(export)
	return cmd
}

// knownActions are the audit actions crmlens records.
var knownActions = []string{
	audit.ActionContextRead, audit.ActionKeyReveal, audit.ActionLayoutChange, audit.ActionKeyRotate,
	audit.ActionIntegrationCreate, audit.ActionIntegrationUpdate, audit.ActionFieldChange, audit.ActionAgentsImport,
	audit.ActionAgentGroups, audit.ActionLayoutPreview, audit.ActionSimulate, audit.ActionPasswordChange,
	sidebar.ActionReveal, sidebar.ActionSearch, sidebar.ActionLink, sidebar.ActionUnlink,
	integration.ActionDisable, integration.ActionEnable, integration.ActionDelete, layout.ActionDelete,
	admin.ActionCreate, admin.ActionRemove, admin.ActionResetPassword,
	source.ActionApply, source.ActionDelete,
	audit.ActionTokenCreate, audit.ActionTokenRevoke, audit.ActionSyncUpsert, audit.ActionSyncDelete,
}

// checkAction refuses an --action crmlens never records (a typo would
// export nothing and look like an empty trail). An action found in the
// trail is accepted too, for one recorded by another version.
func checkAction(ctx context.Context, e *env, action string) error {
	if action == "" || slices.Contains(knownActions, action) {
		return nil
	}
	var n int64
	if err := e.db.WithContext(ctx).Model(&model.AuditEvent{}).Where("action = ?", action).Limit(1).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	list := slices.Clone(knownActions)
	slices.Sort(list)
	return fmt.Errorf("--action %q is not an action crmlens records; use one of: %s", action, strings.Join(list, ", "))
}
