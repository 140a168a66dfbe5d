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

// Async writes events in batches from a background goroutine, so the
// request that reads customer data does not wait for its audit insert. It
// never drops an event: when its queue is full, Record writes synchronously;
// Close writes what is queued. Events of a crash in the last flush interval
// (50 ms) are the price of not slowing every read.
type Async struct {
	log      *Log
	logger   *slog.Logger
	queue    chan model.AuditEvent
	done     chan struct{}
	once     sync.Once
	interval time.Duration
}

// Batch limits.
const (
	asyncQueue    = 10000
	asyncBatch    = 500
	asyncInterval = 50 * time.Millisecond
)

// NewAsync starts a batching writer over l; logger receives write failures.
func NewAsync(l *Log, logger *slog.Logger) *Async {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &Async{log: l, logger: logger, queue: make(chan model.AuditEvent, asyncQueue), done: make(chan struct{}), interval: asyncInterval}
	go a.run()
	return a
}

// Record queues ev, or writes it at once when the queue is full.
func (a *Async) Record(ctx context.Context, ev Event) error {
	row, err := rowOf(ev)
	if err != nil {
		return err
	}
	select {
	case a.queue <- row:
		return nil
	default:
		return a.log.write(ctx, []model.AuditEvent{row})
	}
}

func (a *Async) run() {
	defer close(a.done)
	batch := make([]model.AuditEvent, 0, asyncBatch)
	tick := time.NewTicker(a.interval)
	defer tick.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		var err error
		for attempt := 0; attempt < 3; attempt++ {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err = a.log.write(ctx, batch)
			cancel()
			if err == nil {
				break
			}
			time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
		}
		if err != nil {
			a.logger.Error("audit events could not be written", "count", len(batch), "err", err.Error())
		}
		batch = batch[:0]
	}
	for {
		select {
		case row, ok := <-a.queue:
			if !ok {
				flush()
				return
			}
			batch = append(batch, row)
			if len(batch) == asyncBatch {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// Close stops accepting events and writes those queued, waiting at most
// until ctx ends.
func (a *Async) Close(ctx context.Context) error {
	a.once.Do(func() { close(a.queue) })
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("audit: %d events may not be written: %w", len(a.queue), ctx.Err())
	}
}
