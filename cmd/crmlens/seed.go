package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/crmlens/crmlens/internal/seed"
)

func newSeed() *cobra.Command {
	var demo bool
	var contacts int
	cmd := &cobra.Command{
		Use:   "seed --demo [--contacts N]",
		Short: "Load deterministic demo data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !demo {
				return errors.New("say --demo: seed only loads the demo data set")
			}
			if contacts < 1 {
				return fmt.Errorf("--contacts must be at least 1, not %d", contacts)
			}
			ctx := cmd.Context()
			e, err := openEnv(cmd, true)
			if err != nil {
				return err
			}
			defer e.close()
			sum, err := seed.Demo(ctx, e.db, seed.Options{Contacts: contacts, SealKey: e.keys.Seal, Normalizer: e.norm})
			if err != nil {
				return err
			}
			if sum.AlreadySeeded {
				fmt.Fprintln(cmd.OutOrStdout(), "demo data is already loaded; nothing written")
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "demo data loaded: %+v\n", sum)
			return nil
		},
	}
	cmd.Flags().BoolVar(&demo, "demo", false, "load the demo data set")
	cmd.Flags().IntVar(&contacts, "contacts", 200, "number of demo contacts")
	return cmd
}
