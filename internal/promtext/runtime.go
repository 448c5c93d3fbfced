package promtext

import (
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// RegisterRuntime registers a few of Go's runtime and the process's
// figures, under the names Prometheus's Go client gives them, so that
// dashboards made for Go programs read them: goroutines, heap, memory
// from the system, collections, CPU time, resident memory, start time.
// Figures the system does not give (resident memory outside Linux, CPU
// time on Windows) are left out. go_gc_cycles_total is this package's
// name: the client counts collections in go_gc_duration_seconds.
func (r *Registry) RegisterRuntime() {
	r.GaugeFunc("go_goroutines", "Number of goroutines that currently exist.",
		func() float64 { return float64(runtime.NumGoroutine()) })
	r.GaugeFunc("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and still in use (objects not yet swept included).",
		runtimeMetric("/memory/classes/heap/objects:bytes"))
	r.GaugeFunc("go_memstats_sys_bytes", "Number of bytes obtained from system.",
		runtimeMetric("/memory/classes/total:bytes"))
	r.CounterFunc("go_gc_cycles_total", "Completed garbage collection cycles.",
		runtimeMetric("/gc/cycles/total:gc-cycles"))
	r.GaugeFunc("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
		func() float64 { return float64(processStart.UnixMicro()) / 1e6 })
	if _, ok := cpuSeconds(); ok {
		r.CounterFunc("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
			func() float64 { s, _ := cpuSeconds(); return s })
	}
	if _, ok := residentBytes(); ok {
		r.GaugeFunc("process_resident_memory_bytes", "Resident memory size in bytes.",
			func() float64 { b, _ := residentBytes(); return b })
	}
}

// processStart is when the program started, near enough: when this
// package was initialised. A process may run many nodes (devnet), each
// with a registry of its own; they all tell the same start.
var processStart = time.Now()

// runtimeMetric reads one of runtime/metrics' figures, without stopping
// the world as runtime.ReadMemStats does.
func runtimeMetric(name string) func() float64 {
	return func() float64 {
		s := []metrics.Sample{{Name: name}}
		metrics.Read(s)
		switch s[0].Value.Kind() {
		case metrics.KindUint64:
			return float64(s[0].Value.Uint64())
		case metrics.KindFloat64:
			return s[0].Value.Float64()
		}
		return 0
	}
}

// residentBytes reads the process's resident memory from Linux's
// /proc/self/statm (its second field, in pages).
func residentBytes() (float64, bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseUint(fields[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return float64(pages) * float64(os.Getpagesize()), true
}
