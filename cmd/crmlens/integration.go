package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/crmlens/crmlens/internal/integration"
)

func newIntegration() *cobra.Command {
	cmd := &cobra.Command{Use: "integration", Short: "Manage platform integrations"}
	var in integration.Input
	create := &cobra.Command{
		Use:   "create --kind easemob|sharecrm|chatwoot|signed [--slug S] [--key K] [--origin URL ...]",
		Short: "Create an integration and print the URL to paste into the platform",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			e, err := openEnv(ctx, true)
			if err != nil {
				return err
			}
			defer e.close()
			row, err := integration.New(e.db).Create(ctx, in)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "integration %q (%s) created\n", row.Slug, row.Kind)
			fmt.Fprintf(out, "sidebar URL: %s/sidebar/%s\n", e.cfg.BaseURL(), row.Slug)
			if row.Kind == "easemob" {
				fmt.Fprintln(out, "paste it in Easemob Kefu: 管理员模式 > 设置 > 自定义信息接口 (Admin mode > Settings > Custom information API),")
				fmt.Fprintln(out, "with the same encryption key as --key. Treat the URL as a secret.")
			}
			return nil
		},
	}
	f := create.Flags()
	f.StringVar(&in.Slug, "slug", "", "the last part of the sidebar URL (default: 128 random bits)")
	f.StringVar(&in.Kind, "kind", "", "easemob, sharecrm, chatwoot or signed")
	f.StringVar(&in.Name, "name", "", "a name for admins")
	f.StringVar(&in.Key, "key", "", "the platform's encryption key (easemob: more than 8 characters; sharecrm: base64 AES key)")
	f.StringSliceVar(&in.Origins, "origin", nil, "an origin allowed to frame the sidebar, e.g. https://kefu.easemob.com (repeatable)")
	_ = create.MarkFlagRequired("kind")
	cmd.AddCommand(create)
	return cmd
}
