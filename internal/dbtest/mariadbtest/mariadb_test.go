package mariadbtest

import "testing"

func TestErrorLines(t *testing.T) {
	install := "Installing MariaDB/MySQL system tables in '/tmp/x/data' ...\n" +
		"2026-12-03  7:32:43 1 [Warning] Could not remove temporary table: '/tmp/#sql-temptable-1623-1-3', error: 2\n" +
		"ERROR: 1051  Unknown table 'mysql.tmp_user_sys'\n" +
		"2026-12-03  7:32:43 0 [ERROR] Aborting\n\n" +
		"Installation of system tables failed!  Examine the logs in\n" +
		"Please check all of the above before submitting a bug report\n" +
		"at https://mariadb.org/jira\n"
	tests := []struct{ name, out, want string }{
		{"the errors, not the boilerplate", install, "ERROR: 1051  Unknown table 'mysql.tmp_user_sys'\n2026-12-03  7:32:43 0 [ERROR] Aborting"},
		{"no error line: the last lines", "a\nb\nc\nd\n", "c\nd\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errorLines([]byte(tt.out), 2); got != tt.want {
				t.Errorf("errorLines = %q, want %q", got, tt.want)
			}
		})
	}
}
