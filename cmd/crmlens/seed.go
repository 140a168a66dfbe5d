package main

import (
	"errors"
	"fmt"
	"strings"

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
			fmt.Fprintln(cmd.OutOrStdout(), seedSentence(sum))
			return nil
		},
	}
	cmd.Flags().BoolVar(&demo, "demo", false, "load the demo data set")
	cmd.Flags().IntVar(&contacts, "contacts", 200, "number of demo contacts")
	return cmd
}

// seedSentence says what seed.Demo wrote, e.g. "demo data loaded: 10
// accounts, 40 contacts, 1 identity, 80 orders, 30 tickets and 12 leads".
func seedSentence(sum seed.Summary) string {
	if sum.AlreadySeeded {
		return "demo data is already loaded (the demo integration " + seed.DemoSlug + " exists); nothing written"
	}
	parts := []string{count(sum.Accounts, "accounts"), count(sum.Contacts, "contacts"), count(sum.Identities, "identities"),
		count(sum.Orders, "orders"), count(sum.Tickets, "tickets"), count(sum.Leads, "leads")}
	return "demo data loaded: " + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
