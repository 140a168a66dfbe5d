package main

import (
	"fmt"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/crmlens/crmlens/internal/importer"
)

func newImport() *cobra.Command {
	var object string
	cmd := &cobra.Command{
		Use:   "import --object OBJECT FILE",
		Short: "Import accounts, contacts, leads, tickets, orders or agents from NDJSON or CSV",
		Long: "Import reads FILE (.ndjson/.jsonl or .csv, one record a line; columns in docs/import.md).\n" +
			"Re-importing an external_id updates the record. A file with any bad line writes nothing\n" +
			"and every bad line is reported with its line number.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if object == "" {
				return fmt.Errorf("say which object the file holds: --object accounts|contacts|leads|tickets|orders|agents")
			}
			format, err := importer.FormatFromName(args[0])
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("open import file: %w", err)
			}
			defer f.Close()
			ctx := cmd.Context()
			e, err := openEnv(ctx, true)
			if err != nil {
				return err
			}
			defer e.close()
			var size int64 = -1
			if st, err := f.Stat(); err == nil {
				size = st.Size()
			}
			// The bar shows bytes read; it stays silent when stderr is not a
			// terminal (CI, cron).
			bar := progressbar.NewOptions64(size,
				progressbar.OptionSetWriter(os.Stderr),
				progressbar.OptionSetVisibility(isatty.IsTerminal(os.Stderr.Fd())),
				progressbar.OptionShowBytes(true),
				progressbar.OptionSetDescription("reading "+object),
				progressbar.OptionClearOnFinish(),
			)
			start := time.Now()
			pr := progressbar.NewReader(f, bar)
			res, err := importer.New(e.db).Import(ctx, object, &pr, format)
			_ = bar.Finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported %s from %s in %s: %+v\n", object, args[0], time.Since(start).Round(time.Millisecond), res)
			return nil
		},
	}
	cmd.Flags().StringVar(&object, "object", "", "accounts, contacts, leads, tickets, orders or agents")
	return cmd
}
