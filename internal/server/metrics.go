package server

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"answerbook/qa"
	"answerbook/search"
)

// unmatchedRoute is the route label of requests no route took (unknown
// paths, wrong methods), so that a scanner's guesses never become labels.
const unmatchedRoute = "unmatched"

// Outbox returns the state of a queue of outgoing messages, for the metrics
// of its depth, attempts and outcomes.
type Outbox func(ctx context.Context) (qa.OutboxStats, error)

// Metrics holds the program's Prometheus metrics in a registry of its own
// (a test process runs many servers): requests by route template, method
// and status with their latency; search and similar latency; the index
// follower's lag and errors; the webhook and e-mail outboxes; the database
// pool; the Go runtime and the process.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	searches *prometheus.HistogramVec
	searchEr *prometheus.CounterVec

	mu    sync.Mutex
	mail  Outbox
	state *stateCollector
}

// NewMetrics registers the metrics of store and index (either may be nil,
// for tests of the HTTP metrics alone).
func NewMetrics(store *qa.Store, index *search.Index) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "answerbook_http_requests_total",
		Help: "HTTP requests answered, by route template, method and status.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "answerbook_http_request_duration_seconds",
		Help:    "Time from a request's arrival to its last byte, by route template and method.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
	m.searches = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "answerbook_search_duration_seconds",
		Help:    "Time the search index took to answer, by operation (search, similar).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"op"})
	m.searchEr = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "answerbook_search_errors_total",
		Help: "Searches and similar lookups that failed, by operation.",
	}, []string{"op"})
	m.state = &stateCollector{store: store, index: index, mail: func() Outbox {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.mail
	}}
	m.reg.MustRegister(m.requests, m.latency, m.searches, m.searchEr, m.state,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if store != nil {
		m.reg.MustRegister(newDBCollector(store.DBStats))
	}
	// Every operation shows from the start, at zero.
	for _, op := range []string{"search", "similar"} {
		m.searches.WithLabelValues(op)
		m.searchEr.WithLabelValues(op)
	}
	return m
}

// SetMailOutbox sets where the e-mail outbox's metrics come from; nil (the
// default) leaves them out.
func (m *Metrics) SetMailOutbox(f Outbox) {
	m.mu.Lock()
	m.mail = f
	m.mu.Unlock()
}

// ObserveSearch records one search or similar lookup (api and web call it
// through their SearchObserver).
func (m *Metrics) ObserveSearch(op string, took time.Duration, err error) {
	m.searches.WithLabelValues(op).Observe(took.Seconds())
	if err != nil {
		m.searchEr.WithLabelValues(op).Inc()
	}
}

// Handler serves the metrics in Prometheus' text format. compress lets the
// handler compress by itself (for a listener without the router's
// compression).
func (m *Metrics) Handler(compress bool) http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{DisableCompression: !compress})
}

// middleware counts and times every request by its route template.
func (m *Metrics) middleware(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = unmatchedRoute
	}
	method := methodLabel(requestMethod(c.Request))
	m.requests.WithLabelValues(route, method, strconv.Itoa(c.Writer.Status())).Inc()
	m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
}

// methodLabel keeps the method label to the methods of RFC 9110, so that
// invented methods are one label.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// stateCollector reads, at each scrape, what is a state rather than an
// event: the follower's lag and errors, the outboxes.
type stateCollector struct {
	store *qa.Store
	index *search.Index
	mail  func() Outbox
}

var (
	descLag = prometheus.NewDesc("answerbook_search_follower_lag",
		"Change-log rows the search index has not applied yet (the database's last seq minus the index's).", nil, nil)
	descApplied = prometheus.NewDesc("answerbook_search_follower_applied_seq",
		"The last change-log seq the search index holds.", nil, nil)
	descFollowerErrors = prometheus.NewDesc("answerbook_search_follower_errors_total",
		"Failed batches and rebuilds of the search index's follower since start.", nil, nil)
	descReady = prometheus.NewDesc("answerbook_search_index_ready",
		"1 when the search index answers searches, 0 while it is missing or rebuilding.", nil, nil)
	descOutboxDepth = prometheus.NewDesc("answerbook_outbox_depth",
		"Messages waiting to be sent, by outbox (webhook, mail).", []string{"outbox"}, nil)
	descOutboxMessages = prometheus.NewDesc("answerbook_outbox_messages",
		"Messages in an outbox by state (pending, delivered, failed).", []string{"outbox", "state"}, nil)
	descOutboxAttempts = prometheus.NewDesc("answerbook_outbox_attempts",
		"Sending attempts made for the messages of an outbox, by their state.", []string{"outbox", "state"}, nil)
	descScrapeErrors = prometheus.NewDesc("answerbook_metrics_scrape_error",
		"1 when a part of the metrics could not be read at this scrape (see the log), by part.", []string{"part"}, nil)
)

// Describe implements prometheus.Collector.
func (s *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descLag, descApplied, descFollowerErrors, descReady, descOutboxDepth,
		descOutboxMessages, descOutboxAttempts, descScrapeErrors} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (s *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	failed := func(part string, err error) {
		v := 0.0
		if err != nil {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(descScrapeErrors, prometheus.GaugeValue, v, part)
	}
	if s.index != nil {
		st := s.index.Status()
		ready := 0.0
		if st.Ready {
			ready = 1
		}
		ch <- prometheus.MustNewConstMetric(descReady, prometheus.GaugeValue, ready)
		ch <- prometheus.MustNewConstMetric(descApplied, prometheus.GaugeValue, float64(st.Applied))
		ch <- prometheus.MustNewConstMetric(descFollowerErrors, prometheus.CounterValue, float64(st.Errors))
		if s.store != nil {
			last, err := s.store.LastChangeSeq(ctx)
			if err == nil {
				ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, float64(max(0, last-st.Applied)))
			}
			failed("search_follower", err)
		}
	}
	if s.store != nil {
		st, err := s.store.WebhookOutboxStats(ctx)
		if err == nil {
			outbox(ch, "webhook", st)
		}
		failed("webhook_outbox", err)
	}
	if mail := s.mail(); mail != nil {
		st, err := mail(ctx)
		if err == nil {
			outbox(ch, "mail", st)
		}
		failed("mail_outbox", err)
	}
}

// outboxStates are the states every outbox reports, at zero when empty,
// so that a series does not vanish when its last message moves on.
var outboxStates = []string{"pending", "delivered", "failed"}

func outbox(ch chan<- prometheus.Metric, name string, st qa.OutboxStats) {
	seen := map[string]bool{}
	emit := func(state string) {
		seen[state] = true
		ch <- prometheus.MustNewConstMetric(descOutboxMessages, prometheus.GaugeValue, float64(st.Count[state]), name, state)
		ch <- prometheus.MustNewConstMetric(descOutboxAttempts, prometheus.GaugeValue, float64(st.Attempts[state]), name, state)
	}
	for _, state := range outboxStates {
		emit(state)
	}
	for state := range st.Count {
		if !seen[state] {
			emit(state)
		}
	}
	ch <- prometheus.MustNewConstMetric(descOutboxDepth, prometheus.GaugeValue, float64(st.Count["pending"]), name)
}

// dbCollector exports the database pool's statistics.
type dbCollector struct{ stats func() sql.DBStats }

func newDBCollector(stats func() sql.DBStats) *dbCollector { return &dbCollector{stats: stats} }

var (
	descDBMaxOpen  = prometheus.NewDesc("answerbook_db_max_open_connections", "Maximum number of open connections to the database (0: unlimited).", nil, nil)
	descDBOpen     = prometheus.NewDesc("answerbook_db_open_connections", "Open connections to the database, in use or idle.", nil, nil)
	descDBInUse    = prometheus.NewDesc("answerbook_db_in_use_connections", "Connections to the database in use.", nil, nil)
	descDBIdle     = prometheus.NewDesc("answerbook_db_idle_connections", "Idle connections to the database.", nil, nil)
	descDBWait     = prometheus.NewDesc("answerbook_db_wait_count_total", "Times a request waited for a free database connection.", nil, nil)
	descDBWaitTime = prometheus.NewDesc("answerbook_db_wait_duration_seconds_total", "Total time spent waiting for a free database connection.", nil, nil)
	descDBClosed   = prometheus.NewDesc("answerbook_db_closed_connections_total", "Connections closed, by reason (max_idle, max_idle_time, max_lifetime).", []string{"reason"}, nil)
)

// Describe implements prometheus.Collector.
func (d *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, x := range []*prometheus.Desc{descDBMaxOpen, descDBOpen, descDBInUse, descDBIdle, descDBWait, descDBWaitTime, descDBClosed} {
		ch <- x
	}
}

// Collect implements prometheus.Collector.
func (d *dbCollector) Collect(ch chan<- prometheus.Metric) {
	st := d.stats()
	ch <- prometheus.MustNewConstMetric(descDBMaxOpen, prometheus.GaugeValue, float64(st.MaxOpenConnections))
	ch <- prometheus.MustNewConstMetric(descDBOpen, prometheus.GaugeValue, float64(st.OpenConnections))
	ch <- prometheus.MustNewConstMetric(descDBInUse, prometheus.GaugeValue, float64(st.InUse))
	ch <- prometheus.MustNewConstMetric(descDBIdle, prometheus.GaugeValue, float64(st.Idle))
	ch <- prometheus.MustNewConstMetric(descDBWait, prometheus.CounterValue, float64(st.WaitCount))
	ch <- prometheus.MustNewConstMetric(descDBWaitTime, prometheus.CounterValue, st.WaitDuration.Seconds())
	ch <- prometheus.MustNewConstMetric(descDBClosed, prometheus.CounterValue, float64(st.MaxIdleClosed), "max_idle")
	ch <- prometheus.MustNewConstMetric(descDBClosed, prometheus.CounterValue, float64(st.MaxIdleTimeClosed), "max_idle_time")
	ch <- prometheus.MustNewConstMetric(descDBClosed, prometheus.CounterValue, float64(st.MaxLifetimeClosed), "max_lifetime")
}
