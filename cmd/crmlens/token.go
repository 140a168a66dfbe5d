package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmlens/crmlens/internal/servicetoken"
)

// newToken is `crmlens token`: the service tokens a CRM uses to push its
// records (docs/sync.md).
func newToken() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage service tokens (for the sync API, docs/sync.md)"}
	var name, scope string
	create := &cobra.Command{
		Use:   "create --name NAME --scope sync",
		Short: "Create a service token and print it, once",
		Long: "Prints the new token once, as the last line of standard output: crmlens keeps only its hash.\n" +
			"Give it to the system that calls the API as Authorization: Bearer TOKEN. Scope sync may\n" +
			"write records through /api/v1/sync and nothing else.",
		Args: cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			sc, err := servicetoken.ParseScope(scope)
			if err != nil {
				return err
			}
			t, secret, err := servicetoken.NewStore(e.db).Create(cmd.Context(), name, sc, "cli")
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "service token %s (scope %s) created; audit actor %s\n", t.Name, t.Scope, t.Actor())
			fmt.Fprintln(out, "it is shown this once: store it now (revoke it with `crmlens token revoke --name "+t.Name+"`)")
			fmt.Fprintln(out, secret)
			return nil
		}),
	}
	create.Flags().StringVar(&name, "name", "", "a name for the token, e.g. crm-nightly: a-z, 0-9, '.', '_', '-'")
	create.Flags().StringVar(&scope, "scope", "", "what the token may do: sync")
	_ = create.MarkFlagRequired("name")
	_ = create.MarkFlagRequired("scope")

	list := &cobra.Command{
		Use:   "list",
		Short: "List service tokens (never the tokens themselves)",
		Args:  cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			tokens, err := servicetoken.NewStore(e.db).List(cmd.Context())
			if err != nil {
				return err
			}
			if len(tokens) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no service token exists: create one with `crmlens token create --name NAME --scope sync`")
				return nil
			}
			tw := newTable(cmd.OutOrStdout())
			tw.row("NAME", "SCOPE", "CREATED", "LAST USED", "REVOKED")
			for _, t := range tokens {
				tw.row(t.Name, string(t.Scope), t.CreatedAt.Format(time.RFC3339), when(t.LastUsedAt, "never"), when(t.RevokedAt, "-"))
			}
			return tw.flush()
		}),
	}

	var revokeName string
	revoke := &cobra.Command{
		Use:   "revoke --name NAME",
		Short: "Revoke a service token: it stops working at once",
		Args:  cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			t, err := servicetoken.NewStore(e.db).Revoke(cmd.Context(), revokeName, "cli")
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "service token %s revoked at %s\n", t.Name, t.RevokedAt.Format(time.RFC3339))
			return nil
		}),
	}
	revoke.Flags().StringVar(&revokeName, "name", "", "the token's name (crmlens token list)")
	_ = revoke.MarkFlagRequired("name")

	cmd.AddCommand(create, list, revoke)
	return cmd
}

// when formats an optional time, or says none.
func when(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format(time.RFC3339)
}
