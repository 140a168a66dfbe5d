package dbtest

import (
	"context"

	"github.com/crmlens/crmlens/internal/dbtest/mariadbtest"
)

// startMariaDB starts the test server: a small buffer pool, no durability.
func startMariaDB() (*mariadbtest.Server, error) {
	return mariadbtest.Start(context.Background(), mariadbtest.Options{})
}
