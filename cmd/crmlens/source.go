package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/source"
)

// sourceCheckTimeout bounds check's and apply's reads of a source: longer
// than a sidebar read's (source.DefaultTimeout), as EXPLAIN of every lookup
// runs in one transaction.
const sourceCheckTimeout = 10 * time.Second

func newSource() *cobra.Command {
	var noCheck bool
	cmd := &cobra.Command{Use: "source", Short: "Map crmlens objects onto a company's own MySQL/MariaDB tables, read at view time (docs/sources.md)"}
	apply := &cobra.Command{
		Use:   "apply FILE",
		Short: "Create or replace the live source described in FILE (YAML), after checking its tables and columns (audited)",
		Long: "The file names the source, its database (url_env: the environment variable holding\n" +
			"mysql://reader:pass@host:port/db, or url: the URL itself, which crmlens seals with its master key)\n" +
			"and the objects mapped onto its tables or views. When the URL can be had here, every table and\n" +
			"column is looked up first and a missing one refuses the file. The format is in docs/sources.md.",
		Args: cobra.ExactArgs(1),
		RunE: withEnv(func(cmd *cobra.Command, args []string, e *env) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("read source file: %w", err)
			}
			spec, err := source.Parse(b)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			cat, err := layout.NewStore(e.db, nil).Catalog(ctx)
			if err != nil {
				return err
			}
			if err := spec.Validate(cat); err != nil {
				return err
			}
			if err := spec.Served(); err != nil {
				return err
			}
			store := source.NewStore(e.db, e.keys)
			out := cmd.OutOrStdout()
			checked := false
			u := spec.URL
			if u == "" {
				u = os.Getenv(spec.URLEnv)
			}
			if u != "" && !noCheck {
				if _, err := sourceReport(ctx, spec, u, e); err != nil {
					return err
				}
				checked = true
			}
			created, err := store.Apply(ctx, spec, cat, func(tx *gorm.DB) error {
				return cliRecord(ctx, tx, audit.Event{Action: source.ActionApply, Detail: map[string]string{"source": spec.Name}})
			})
			if err != nil {
				return err
			}
			verb := "replaced"
			if created {
				verb = "created"
			}
			fmt.Fprintf(out, "source %q %s\n", spec.Name, verb)
			if noCheck {
				fmt.Fprintf(out, "not checked (--no-check): run crmlens source check %s once the database answers\n", spec.Name)
			} else if !checked {
				fmt.Fprintf(out, "not checked: %s is not set here; run crmlens source check %s where it is (crmlens serve reads it)\n", spec.URLEnv, spec.Name)
			} else {
				fmt.Fprintf(out, "checked: every table and column exists; crmlens source check %s lists them\n", spec.Name)
			}
			fmt.Fprintln(out, "a running crmlens serve picks the change up when it restarts")
			return nil
		}),
	}
	apply.Flags().BoolVar(&noCheck, "no-check", false, "store the file without connecting to the database (check its format only), e.g. while it is down")
	list := &cobra.Command{
		Use:   "list",
		Short: "List live sources and the objects each maps",
		Args:  cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			all, err := source.NewStore(e.db, e.keys).List(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tURL\tOBJECTS")
			for _, st := range all {
				where := "env " + st.Spec.URLEnv
				if st.URLSealed != "" {
					where = "sealed url"
				}
				var objs []string
				for name, m := range st.Spec.Objects {
					objs = append(objs, name+"="+m.Table)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", st.Spec.Name, where, joinSorted(objs))
			}
			if len(all) == 0 {
				fmt.Fprintln(w, "(none: crmlens source apply FILE adds one; docs/sources.md)")
			}
			return w.Flush()
		}),
	}
	check := &cobra.Command{
		Use:   "check NAME",
		Short: "Connect to a source read-only, list each mapped column with its type and warn of lookups without an index",
		Args:  cobra.ExactArgs(1),
		RunE: withEnv(func(cmd *cobra.Command, args []string, e *env) error {
			ctx := cmd.Context()
			store := source.NewStore(e.db, e.keys)
			st, err := store.Get(ctx, args[0])
			if err != nil {
				return err
			}
			u, err := store.URL(st, os.Getenv)
			if err != nil {
				return err
			}
			rep, err := sourceReport(ctx, st.Spec, u, e)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "OBJECT\tUSE\tCOLUMN\tTYPE")
			for _, c := range rep.Columns {
				fmt.Fprintf(w, "%s\t%s\t%s.%s\t%s\n", c.Object, c.Use, c.Table, c.Column, c.Type)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			for _, warn := range rep.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", warn)
			}
			if len(rep.Warnings) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "every lookup uses an index")
			}
			return nil
		}),
	}
	del := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a live source; its objects show nothing until mapped or imported again (audited)",
		Args:  cobra.ExactArgs(1),
		RunE: withEnv(func(cmd *cobra.Command, args []string, e *env) error {
			ctx := cmd.Context()
			err := source.NewStore(e.db, e.keys).Delete(ctx, args[0], func(tx *gorm.DB) error {
				return cliRecord(ctx, tx, audit.Event{Action: source.ActionDelete, Detail: map[string]string{"source": args[0]}})
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "source %q deleted\n", args[0])
			return nil
		}),
	}
	cmd.AddCommand(apply, list, check, del)
	return cmd
}

func joinSorted(s []string) string {
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// sourceReport opens spec's source at rawURL and checks it. A source that
// cannot be reached is an error naming it, never its URL.
func sourceReport(ctx context.Context, spec source.Spec, rawURL string, e *env) (source.Report, error) {
	src, err := source.Open(spec, rawURL, source.Options{Timeout: sourceCheckTimeout, MaxOpen: 1, Norm: e.norm})
	if err != nil {
		return source.Report{}, err
	}
	defer src.Close()
	rep, err := src.Check(ctx)
	if err != nil && apperr.As(err) == nil {
		return source.Report{}, fmt.Errorf("check source %q: %w", spec.Name, err)
	}
	return rep, err
}
