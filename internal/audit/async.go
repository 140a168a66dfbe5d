package audit

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/crmlens/crmlens/internal/model"
)

// Recorder is what writes audit events: a Log (synchronously) or an Async.
type Recorder interface {
	Record(ctx context.Context, ev Event) error
}

// Async writes events with group commit: Record hands its event to one
// background writer and waits until the batch holding it is committed, so
// an answered read always has its audit row (a read whose row cannot be
// written fails instead of being answered unaudited). Concurrent reads
// share one INSERT: under load a read waits for about one batch insert,
// not one insert per read. A request that gives up waiting (its deadline)
// gets an error; its event may still be written, which records a read
// that was not answered, never the reverse.
type Async struct {
	log    *Log
	logger *slog.Logger

	mu      sync.Mutex
	pending []pending
	closed  bool

	wake chan struct{}
	done chan struct{}
	once sync.Once
}

// pending is one event waiting for its batch.
type pending struct {
	row  model.AuditEvent
	done chan error
}

// Batch limits: at most asyncBatch rows per INSERT, each INSERT given at
// most asyncWrite.
const (
	asyncBatch = 500
	asyncWrite = 10 * time.Second
)

// NewAsync starts a batching writer over l; logger receives write failures.
func NewAsync(l *Log, logger *slog.Logger) *Async {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &Async{log: l, logger: logger, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go a.run()
	return a
}

// Record writes ev in the next batch and returns once it is committed, or
// with the write's error, or when ctx ends (then the event may or may not
// be written).
func (a *Async) Record(ctx context.Context, ev Event) error {
	row, err := rowOf(ev)
	if err != nil {
		return err
	}
	p := pending{row: row, done: make(chan error, 1)}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		// After Close (a request still draining): write it directly.
		return a.log.write(ctx, []model.AuditEvent{row})
	}
	a.pending = append(a.pending, p)
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("audit: waiting for the audit write: %w", ctx.Err())
	}
}

// take removes up to asyncBatch pending events; closed reports Close.
func (a *Async) take() (batch []pending, closed bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := min(len(a.pending), asyncBatch)
	batch = append([]pending(nil), a.pending[:n]...)
	a.pending = append(a.pending[:0], a.pending[n:]...)
	return batch, a.closed
}

func (a *Async) run() {
	defer close(a.done)
	for {
		batch, closed := a.take()
		if len(batch) == 0 {
			if closed {
				return
			}
			<-a.wake
			continue
		}
		rows := make([]model.AuditEvent, len(batch))
		for i, p := range batch {
			rows[i] = p.row
		}
		ctx, cancel := context.WithTimeout(context.Background(), asyncWrite)
		err := a.log.write(ctx, rows)
		cancel()
		if err != nil {
			// Every read of the batch is refused: none is answered unaudited.
			a.logger.Error("audit events could not be written; their requests fail", "count", len(batch), "err", err.Error())
		}
		for _, p := range batch {
			p.done <- err
		}
	}
}

// Close stops batching and writes those pending, waiting at most until
// ctx ends; events recorded after Close are written directly.
func (a *Async) Close(ctx context.Context) error {
	a.once.Do(func() {
		a.mu.Lock()
		a.closed = true
		a.mu.Unlock()
		select {
		case a.wake <- struct{}{}:
		default:
		}
	})
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
		a.mu.Lock()
		n := len(a.pending)
		a.mu.Unlock()
		return fmt.Errorf("audit: %d events may not be written: %w", n, ctx.Err())
	}
}
