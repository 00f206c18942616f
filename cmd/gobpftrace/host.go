package main

import (
	"sync"

	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// cachingHost remembers tracepoint formats: the checker asks for a
// tracepoint's format more than once (expanding the probe, then typing its
// args), and each read of a tracefs format file costs a fraction of a
// millisecond (more while the kernel's event_mutex is busy).
type cachingHost struct {
	*probe.RealHost
	mu      sync.Mutex
	formats map[[2]string]cachedFormat
}

type cachedFormat struct {
	text string
	err  error
}

func newCachingHost(h *probe.RealHost) *cachingHost {
	return &cachingHost{RealHost: h, formats: map[[2]string]cachedFormat{}}
}

func (h *cachingHost) TracepointFormat(category, event string) (string, error) {
	k := [2]string{category, event}
	h.mu.Lock()
	f, ok := h.formats[k]
	h.mu.Unlock()
	if ok {
		return f.text, f.err
	}
	text, err := h.RealHost.TracepointFormat(category, event)
	h.mu.Lock()
	h.formats[k] = cachedFormat{text, err}
	h.mu.Unlock()
	return text, err
}
