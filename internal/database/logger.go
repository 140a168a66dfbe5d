package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// slowQuery is the duration past which a statement is logged as slow.
const slowQuery = 200 * time.Millisecond

// gormLogger sends GORM's errors and slow statements to slog. It logs the SQL
// with placeholders only (ParamsFilter), never the bound values, which may be
// phones, emails or keys.
type gormLogger struct {
	log *slog.Logger
}

func newGormLogger(l *slog.Logger) logger.Interface {
	if l == nil {
		return logger.Discard
	}
	return gormLogger{log: l}
}

func (g gormLogger) LogMode(logger.LogLevel) logger.Interface { return g }
func (g gormLogger) Info(context.Context, string, ...any)     {}
func (g gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	g.log.WarnContext(ctx, "gorm: "+msg)
}
func (g gormLogger) Error(ctx context.Context, msg string, args ...any) {
	g.log.ErrorContext(ctx, "gorm: "+msg)
}

// ParamsFilter drops bound values from the SQL GORM hands to Trace.
func (g gormLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

func (g gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && !errors.Is(err, context.Canceled):
		sql, _ := fc()
		g.log.ErrorContext(ctx, "query failed", "sql", sql, "elapsed", elapsed, "err", Redact(err))
	case elapsed > slowQuery:
		sql, rows := fc()
		g.log.WarnContext(ctx, "slow query", "sql", sql, "rows", rows, "elapsed", elapsed)
	}
}

// Redact describes err for a log line without the values a database error
// may quote: MySQL's "Duplicate entry '<phone>' for key ..." becomes
// "mysql error 1062". Other errors keep their text.
func Redact(err error) string {
	if err == nil {
		return ""
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return "mysql error " + strconv.Itoa(int(me.Number))
	}
	return err.Error()
}

// driverLogger sends go-sql-driver/mysql's own messages ("closing bad idle
// connection", broken pipes) to slog at warn, instead of the driver's
// default plain-text logger on stderr, which would break JSON logs. Its
// messages name connections and network errors, never query values.
type driverLogger struct{ log *slog.Logger }

func (d driverLogger) Print(v ...any) {
	d.log.Warn("mysql driver", "msg", strings.TrimSpace(fmt.Sprint(v...)))
}

// openMySQL opens a pool over dsn whose driver messages go to l (nil:
// nowhere).
func openMySQL(dsn string, l *slog.Logger) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, errors.New("not a valid MySQL DSN")
	}
	if l == nil {
		cfg.Logger = &mysql.NopLogger{}
	} else {
		cfg.Logger = driverLogger{log: l}
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql connector: %s", Redact(err))
	}
	return sql.OpenDB(connector), nil
}
