package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/layout"
)

func newLayout() *cobra.Command {
	cmd := &cobra.Command{Use: "layout", Short: "Keep layouts in version control: apply and export"}
	apply := &cobra.Command{
		Use:   "apply FILE",
		Short: "Create or update the layouts in FILE (YAML or JSON): all of them, or none",
		Long: "A layout that carries `version` is refused when the stored one has moved on (a stale update);\n" +
			"one without `version` replaces the stored one. The file format is in docs/layouts.md.",
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
			e, err := openEnv(ctx, true)
			if err != nil {
				return err
			}
			defer e.close()
			// All are checked, then written in one transaction with their
			// audit records: a file is applied whole or not at all.
			stored, err := layout.NewStore(e.db, nil).PutAll(ctx, docs, false, func(tx *gorm.DB, d layout.Doc) error {
				return cliRecord(ctx, tx, audit.Event{Action: audit.ActionLayoutChange,
					Detail: map[string]string{"layout": d.Name, "version": fmt.Sprint(d.Version)}})
			})
			if err != nil {
				return err
			}
			for _, d := range stored {
				fmt.Fprintf(cmd.OutOrStdout(), "layout %q applied: version %d\n", d.Name, d.Version)
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
	cmd.AddCommand(apply, export)
	return cmd
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
		Use:   "export [--action A] [--actor X] [--since RFC3339] [--until RFC3339]",
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
			e, err := openEnv(ctx, true)
			if err != nil {
				return err
			}
			defer e.close()
			n, err := audit.New(e.db).Export(ctx, f, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d audit events exported\n", n)
			return nil
		},
	}
	export.Flags().StringVar(&f.Action, "action", "", "only this action, e.g. context.read, field.reveal, visitor.link")
	export.Flags().StringVar(&f.Actor, "actor", "", "only this actor (agent id or email, admin:EMAIL)")
	export.Flags().Int64Var(&f.ContactID, "contact", 0, "only this contact id")
	export.Flags().StringVar(&since, "since", "", "from this time (RFC 3339)")
	export.Flags().StringVar(&until, "until", "", "before this time (RFC 3339)")
	cmd.AddCommand(export)
	return cmd
}
