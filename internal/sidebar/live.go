package sidebar

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/source"
)

// livePanel is a list panel read from a live source (internal/source).
type livePanel struct {
	source      string
	rows        []map[string]any
	unavailable bool
}

// liveLists is what the live sources serving a layout's list panels read.
type liveLists struct {
	// panels are the live list panels, by their index in the layout.
	panels map[int]livePanel
	// pinned is the order an extra param pins, when orders are live and the
	// source has it for this contact; nil otherwise.
	pinned map[string]any
}

// liveBatch is the reads of one source: one ReadAll, one read-only
// transaction, for all the panels it serves.
type liveBatch struct {
	src     *source.Source
	queries []source.Query
	panels  []int // the layout index of each query; -1 for the pinned order
}

// readLive reads every list panel of panels whose object a live source
// maps, for the imported contact whose external_id is contactKey (a
// source's contact column holds the company's own contact key, which an
// import or sync stores as external_id). Each panel reads only the fields
// the layout names (the panel's Defs), with its filters, sort and limit. A
// source that cannot be read marks its panels unavailable and leaves the
// others alone; it is never the request's error.
//
// The pinned order (pinnedOrderParams) is read by the contact's key and the
// order_no field together, as the imported read is: a param naming another
// contact's order pins nothing.
func (s *Service) readLive(ctx context.Context, panels []layout.Panel, contactKey string, extra map[string]string) liveLists {
	out := liveLists{panels: map[int]livePanel{}}
	if s.sources == nil {
		return out
	}
	var batches []*liveBatch
	byName := map[string]*liveBatch{}
	add := func(src *source.Source, q source.Query, i int) {
		b := byName[src.Name()]
		if b == nil {
			b = &liveBatch{src: src}
			byName[src.Name()] = b
			batches = append(batches, b)
		}
		b.queries = append(b.queries, q)
		b.panels = append(b.panels, i)
	}
	var ordersSrc *source.Source
	var ordersFields []layout.Field
	for i, p := range panels {
		if p.Object.Single() {
			continue
		}
		src, ok := s.sources.For(p.Object)
		if !ok {
			continue
		}
		add(src, source.ListQuery(p, contactKey), i)
		if p.Object == layout.Orders {
			// The pinned order serves every orders panel: read what any shows.
			ordersSrc = src
			for _, f := range p.Defs {
				if !slices.ContainsFunc(ordersFields, func(g layout.Field) bool { return g.Key == f.Key }) {
					ordersFields = append(ordersFields, f)
				}
			}
		}
	}
	if orderNo := pinnedOrderNo(extra); orderNo != "" && ordersSrc != nil {
		add(ordersSrc, source.Query{Object: layout.Orders, Fields: ordersFields, By: source.ByContact, Value: contactKey,
			Limit: 1, Filters: []layout.Filter{{Field: "order_no", Values: []string{orderNo}}}}, -1)
	}
	for _, b := range batches {
		if strings.TrimSpace(contactKey) == "" {
			// A contact without an external_id has no records in the
			// company's database: a blank key would match its blank rows.
			for _, i := range b.panels {
				if i >= 0 {
					out.panels[i] = livePanel{source: b.src.Name()}
				}
			}
			continue
		}
		recs, err := b.src.ReadAll(ctx, b.queries)
		for k, i := range b.panels {
			if err != nil {
				// errors.Is(err, source.ErrUnavailable) for a source down or
				// slow; a mapping the source's schema no longer has (an
				// *apperr.Error from its schema load) is the operator's to fix
				// (crmlens source check), not the agent's: unavailable too.
				if i >= 0 {
					out.panels[i] = livePanel{source: b.src.Name(), unavailable: true}
				}
				continue
			}
			rows := make([]map[string]any, 0, len(recs[k]))
			for _, r := range recs[k] {
				rows = append(rows, r.Row)
			}
			if i < 0 {
				if len(rows) > 0 {
					out.pinned = rows[0]
				}
				continue
			}
			out.panels[i] = livePanel{source: b.src.Name(), rows: rows}
		}
	}
	return out
}

// sourcesDetail is the audit detail of a read that used live sources: the
// sources read ("sources") and those that could not be ("unavailable"),
// by name, comma-separated; nil when every panel was imported.
func sourcesDetail(panels []Panel) map[string]string {
	var read, down []string
	for _, p := range panels {
		if p.Source == "" {
			continue
		}
		if !slices.Contains(read, p.Source) {
			read = append(read, p.Source)
		}
		if p.Unavailable && !slices.Contains(down, p.Source) {
			down = append(down, p.Source)
		}
	}
	if len(read) == 0 {
		return nil
	}
	sort.Strings(read)
	out := map[string]string{"sources": strings.Join(read, ",")}
	if len(down) > 0 {
		sort.Strings(down)
		out["unavailable"] = strings.Join(down, ",")
	}
	return out
}
