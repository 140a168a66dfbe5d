package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/crmlens/crmlens/internal/database"
)

func newMigrate() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			e, err := openEnv(cmd, false)
			if err != nil {
				return err
			}
			defer e.close()
			n, err := database.Migrate(ctx, e.db, e.dialect, e.norm)
			if err != nil {
				return err
			}
			if n == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "%s database already up to date: no migration to apply\n", e.dialect)
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s database migrated: %s applied\n", e.dialect, count(n, "migrations"))
			return nil
		},
	}
}
