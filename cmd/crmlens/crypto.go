package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/crmlens/crmlens/internal/paramcrypt"
)

func newCrypto() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "crypto",
		Short: "Encrypt or decrypt a parameter as the platforms do",
		Long: "des: Easemob (key = first 8 bytes of a key longer than 8 characters, ECB, PKCS5, lowercase hex).\n" +
			"aes: ShareCRM identity verification (base64 key of 16/24/32 bytes, ECB, PKCS5, uppercase hex).",
	}
	var scheme, key string
	run := func(decrypt bool) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			c, err := paramcrypt.New(scheme, key)
			if err != nil {
				return err
			}
			if decrypt {
				out, err := c.Decrypt(args[0])
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), out)
				return nil
			}
			fmt.Fprintln(cmd.OutOrStdout(), c.Encrypt(args[0]))
			return nil
		}
	}
	for _, sub := range []*cobra.Command{
		{Use: "encrypt --scheme des|aes --key K TEXT", Short: "Encrypt TEXT", Args: cobra.ExactArgs(1), RunE: run(false)},
		{Use: "decrypt --scheme des|aes --key K TEXT", Short: "Decrypt TEXT (hex in either case, or base64)", Args: cobra.ExactArgs(1), RunE: run(true)},
	} {
		sub.Flags().StringVar(&scheme, "scheme", "", "des or aes")
		sub.Flags().StringVar(&key, "key", "", "the key")
		_ = sub.MarkFlagRequired("scheme")
		_ = sub.MarkFlagRequired("key")
		cmd.AddCommand(sub)
	}
	return cmd
}
