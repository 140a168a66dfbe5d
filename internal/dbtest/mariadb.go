package dbtest

import (
	"context"

	"github.com/crmlens/crmlens/internal/mariadb"
)

// startMariaDB starts the test server: a small buffer pool, no durability.
func startMariaDB() (*mariadb.Server, error) {
	return mariadb.Start(context.Background(), mariadb.Options{})
}
