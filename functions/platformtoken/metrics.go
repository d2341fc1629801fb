package main

import (
	"context"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/wxindustry/getindustry/internal/emf"
)

// metricsRecord is the EMF line written per invoke, with no appid dimension (10,000
// accounts would make 10,000 metrics).
type metricsRecord struct {
	emf.Record
	Service string `json:"Service"` // dimension: the function's name

	// Errors: a run that could do nothing, or a push or page answered 5xx. Pushes and
	// PushesRefused: pushes answered success or 4xx. Refreshed, RefreshFailed, NeedsReauth:
	// accounts a run wrote, left for the next one, marked needing re-authorization.
	// ComponentTokenFailures: a run could not refresh the component token.
	Invocations, Errors, Pushes, PushesRefused, Refreshed, RefreshFailed, NeedsReauth, ComponentTokenFailures int

	AwaitingReauth *int   `json:",omitempty"` // accounts needing re-authorization, after a refresh run
	TicketAge      *int64 `json:",omitempty"` // seconds since the last ticket push, when a run read it
}

// errcodeRecord counts a run's failed refreshes of one kind under [Service WeChatErrcode]:
// one record per kind, so a run needs no more.
type errcodeRecord struct {
	emf.Record
	Service, WeChatErrcode string // errcode, or timeout, unavailable, table, lease_lost, ...
	RefreshFailed          int
}

// The metrics each record declares, AwaitingReauth and TicketAge only when present, and
// the main record's one dimension set.
var (
	mainMetrics = []emf.Metric{
		{Name: "Invocations", Unit: "Count"}, {Name: "Errors", Unit: "Count"},
		{Name: "Pushes", Unit: "Count"}, {Name: "PushesRefused", Unit: "Count"},
		{Name: "Refreshed", Unit: "Count"}, {Name: "RefreshFailed", Unit: "Count"},
		{Name: "NeedsReauth", Unit: "Count"}, {Name: "ComponentTokenFailures", Unit: "Count"},
	}
	awaitingMetric  = emf.Metric{Name: "AwaitingReauth", Unit: "Count"}
	ticketAgeMetric = emf.Metric{Name: "TicketAge", Unit: "Seconds"}
	errcodeMetrics  = []emf.Metric{{Name: "RefreshFailed", Unit: "Count"}}
	serviceDims     = []string{"Service"}
)

// metricsWriter writes an invoke's records. It is safe for concurrent use.
type metricsWriter struct {
	mu                 sync.Mutex
	w                  io.Writer
	namespace, service string
}

func (m *metricsWriter) write(ctx context.Context, inv *invocation, now time.Time) {
	r := metricsRecord{Service: m.service, Invocations: 1}
	switch {
	case inv.err != nil || inv.status >= 500 || inv.panick:
		r.Errors = 1
	case inv.page != "": // an onboarding page is not a push
	case inv.status >= 400:
		r.PushesRefused = 1
	case inv.status == 200:
		r.Pushes = 1
	}
	records, defs := []any{&r}, slices.Clip(mainMetrics)
	if rep := inv.report; rep != nil {
		r.Refreshed, r.RefreshFailed, r.NeedsReauth, r.TicketAge = rep.Refreshed, rep.Failed, rep.NeedsReauth, rep.TicketAge
		if rep.ComponentToken == "refresh_failed" || rep.ComponentToken == "unavailable" {
			r.ComponentTokenFailures = 1
		}
		if rep.Action == "refresh" && (inv.err == nil || rep.Due+rep.AwaitingReauth > 0) {
			r.AwaitingReauth, defs = &rep.AwaitingReauth, append(defs, awaitingMetric)
		}
		if r.TicketAge != nil {
			defs = append(defs, ticketAgeMetric)
		}
		for _, k := range slices.Sorted(maps.Keys(rep.FailedByErrcode)) {
			records = append(records, &errcodeRecord{emf.NewRecord(ctx, now, m.namespace,
				[][]string{{"Service", "WeChatErrcode"}}, errcodeMetrics), m.service, k, rep.FailedByErrcode[k]})
		}
	}
	r.Record = emf.NewRecord(ctx, now, m.namespace, [][]string{serviceDims}, defs)
	_ = emf.Write(&m.mu, m.w, records...) // strings and ints always marshal
}
