package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/crmlens/crmlens/internal/admin"
)

func newAdmin() *cobra.Command {
	cmd := &cobra.Command{Use: "admin", Short: "Manage admin accounts"}
	var email, password string
	create := &cobra.Command{
		Use:   "create --email E --password P",
		Short: "Create an admin (password hashed with bcrypt)",
		Args:  cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			ctx := cmd.Context()
			a, err := admin.New(e.db, 0).Create(ctx, email, password)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "admin %s created\n", a.Email)
			return nil
		}),
	}
	create.Flags().StringVar(&email, "email", "", "the admin's email")
	create.Flags().StringVar(&password, "password", "", "at least 10 characters")
	_ = create.MarkFlagRequired("email")
	_ = create.MarkFlagRequired("password")
	cmd.AddCommand(create)
	return cmd
}
