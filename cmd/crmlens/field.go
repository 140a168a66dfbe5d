package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
)

func newField() *cobra.Command {
	cmd := &cobra.Command{Use: "field", Short: "Manage custom fields of contacts, accounts, leads, tickets and orders"}
	var in layout.FieldInput
	var object, typ string
	put := &cobra.Command{
		Use:   "add --object O --key K --type T --label-zh Z --label-en E [--values A,B,C]",
		Short: "Define a custom field, or relabel an existing one",
		Long: "Types: text, number, money, date, datetime, enum, bool, phone, email, url. Once defined, the field\n" +
			"is a column import files may carry and a field layouts may show (not filter or sort by).\n" +
			"An enum field takes its allowed values with --values (imports then refuse any other value);\n" +
			"relabelling without --values keeps them.",
		Args: cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			ctx := cmd.Context()
			in.Object, in.Type = layout.Object(object), layout.FieldType(typ)
			f, err := layout.NewStore(e.db, nil).PutField(ctx, in, func(tx *gorm.DB, f model.CustomField) error {
				return cliRecord(ctx, tx, audit.Event{Action: audit.ActionFieldChange,
					Detail: map[string]string{"object": f.Object, "field": f.FieldKey, "change": "put"}})
			})
			if err != nil {
				return err
			}
			if len(f.Values) > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "custom field %s.%s (%s: %s) defined\n", f.Object, f.FieldKey, f.Type, strings.Join(f.Values, ", "))
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "custom field %s.%s (%s) defined\n", f.Object, f.FieldKey, f.Type)
			}
			return nil
		}),
	}
	put.Flags().StringVar(&object, "object", "", "the layout object the field belongs to: contact, account, leads, tickets or orders")
	put.Flags().StringVar(&in.Key, "key", "", "the field key: a-z, 0-9 and _")
	put.Flags().StringVar(&typ, "type", "text", "the field type")
	put.Flags().StringVar(&in.Label.ZH, "label-zh", "", "the Chinese label")
	put.Flags().StringVar(&in.Label.EN, "label-en", "", "the English label")
	put.Flags().StringSliceVar(&in.Values, "values", nil, "an enum field's allowed values, comma-separated")
	var retireObject, retireKey string
	retire := &cobra.Command{
		Use:   "retire --object O --key K",
		Short: "Hide a custom field from layouts and imports; stored values are kept",
		Args:  cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			ctx := cmd.Context()
			err := layout.NewStore(e.db, nil).RetireField(ctx, layout.Object(retireObject), retireKey, func(tx *gorm.DB, f model.CustomField) error {
				return cliRecord(ctx, tx, audit.Event{Action: audit.ActionFieldChange,
					Detail: map[string]string{"object": f.Object, "field": f.FieldKey, "change": "retire"}})
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "custom field %s.%s retired\n", retireObject, retireKey)
			return nil
		}),
	}
	retire.Flags().StringVar(&retireObject, "object", "", "the layout object the field belongs to: contact, account, leads, tickets or orders")
	retire.Flags().StringVar(&retireKey, "key", "", "the field key")
	list := &cobra.Command{
		Use:   "list",
		Short: "List custom fields",
		Args:  cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			ctx := cmd.Context()
			rows, err := layout.NewStore(e.db, nil).CustomFields(ctx)
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no custom field is defined: add one with `crmlens field add`")
				return nil
			}
			tw := newTable(cmd.OutOrStdout())
			tw.row("OBJECT", "KEY", "TYPE", "ZH", "EN", "RETIRED", "VALUES")
			for _, f := range rows {
				tw.row(f.Object, f.FieldKey, f.Type, f.LabelZH, f.LabelEN, fmt.Sprint(f.Retired), strings.Join(f.Values, ","))
			}
			return tw.flush()
		}),
	}
	cmd.AddCommand(put, retire, list)
	return cmd
}
