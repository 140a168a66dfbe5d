package mariadbtest

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ReplicateFrom makes s a replica of primary (started with LogBin and a
// different ServerID): it follows primary's binary log from its current
// position, so everything written on primary afterwards (schemas included)
// reaches s. It waits until both replication threads run.
func (s *Server) ReplicateFrom(ctx context.Context, primary *Server) error {
	pdb, err := sql.Open("mysql", primary.DSN("mysql"))
	if err != nil {
		return err
	}
	defer pdb.Close()
	file, pos, err := binlogPosition(ctx, pdb)
	if err != nil {
		return err
	}
	rdb, err := sql.Open("mysql", s.DSN("mysql"))
	if err != nil {
		return err
	}
	defer rdb.Close()
	stmt := fmt.Sprintf("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='root', MASTER_PASSWORD='', "+
		"MASTER_LOG_FILE='%s', MASTER_LOG_POS=%d, MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=no", primary.port, file, pos)
	if _, err := rdb.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("change master: %w", err)
	}
	if _, err := rdb.ExecContext(ctx, "START SLAVE"); err != nil {
		return fmt.Errorf("start slave: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		io, sqlRunning, lastErr, err := replicaStatus(ctx, rdb)
		if err != nil {
			return err
		}
		if io == "Yes" && sqlRunning == "Yes" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("replication did not start (io %s, sql %s): %s", io, sqlRunning, lastErr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// replicaStatus reads Slave_IO_Running, Slave_SQL_Running and the last
// error from SHOW SLAVE STATUS, whose columns vary between versions.
func replicaStatus(ctx context.Context, db *sql.DB) (io, sqlRunning, lastErr string, err error) {
	rows, err := db.QueryContext(ctx, "SHOW SLAVE STATUS")
	if err != nil {
		return "", "", "", fmt.Errorf("show slave status: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", "", "", err
	}
	if !rows.Next() {
		return "", "", "", fmt.Errorf("show slave status: not a replica")
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return "", "", "", err
	}
	for i, c := range cols {
		switch c {
		case "Slave_IO_Running":
			io = vals[i].String
		case "Slave_SQL_Running":
			sqlRunning = vals[i].String
		case "Last_IO_Error", "Last_SQL_Error":
			if vals[i].String != "" {
				lastErr += c + ": " + vals[i].String + "; "
			}
		}
	}
	return io, sqlRunning, lastErr, rows.Err()
}

// CaughtUp waits until s (a replica of primary) has applied everything
// primary had written when it was called.
func (s *Server) CaughtUp(ctx context.Context, primary *Server, limit time.Duration) error {
	pdb, err := sql.Open("mysql", primary.DSN("mysql"))
	if err != nil {
		return err
	}
	defer pdb.Close()
	file, pos, err := binlogPosition(ctx, pdb)
	if err != nil {
		return err
	}
	rdb, err := sql.Open("mysql", s.DSN("mysql"))
	if err != nil {
		return err
	}
	defer rdb.Close()
	var waited sql.NullInt64
	if err := rdb.QueryRowContext(ctx, "SELECT MASTER_POS_WAIT(?, ?, ?)", file, pos, int(limit.Seconds())+1).Scan(&waited); err != nil {
		return fmt.Errorf("wait for the replica: %w", err)
	}
	if !waited.Valid || waited.Int64 < 0 {
		return fmt.Errorf("the replica did not catch up with %s:%d within %s", file, pos, limit)
	}
	return nil
}

// binlogPosition is SHOW MASTER STATUS's file and position.
func binlogPosition(ctx context.Context, db *sql.DB) (string, int64, error) {
	rows, err := db.QueryContext(ctx, "SHOW MASTER STATUS")
	if err != nil {
		return "", 0, fmt.Errorf("show master status: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", 0, err
	}
	if !rows.Next() {
		return "", 0, fmt.Errorf("show master status: no binary log (start the primary with LogBin)")
	}
	var file string
	var pos int64
	dest := []any{&file, &pos}
	for range cols[2:] {
		dest = append(dest, new(sql.RawBytes))
	}
	if err := rows.Scan(dest...); err != nil {
		return "", 0, fmt.Errorf("show master status: %w", err)
	}
	return file, pos, rows.Err()
}
