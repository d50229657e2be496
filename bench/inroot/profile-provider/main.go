//go:build albatobench

// Command profile-provider is terraform-provider-albato as main.go builds
// it, plus profiles. A provider runs as Terraform's child, so it cannot be
// profiled from outside; `make bench` uses this binary for one extra apply,
// plan and destroy, never for the timed runs. It is never shipped. It needs
// the provider's internal packages, so it is compiled in the provider's
// module (see bench/README.md).
//
// With $BENCH_CPUPROFILE_DIR set, each process writes cpu.<pid>.pprof there,
// from start until Terraform shuts the plugin down. With $BENCH_MEMPROFILE_DIR
// set, each process writes heap.<pid>.pprof (allocations and what is still
// in use) and mem.<pid>.json (the peaks of the Go runtime's memory
// statistics, sampled every 50 ms) when it exits.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/albato/terraform-provider-albato/internal/provider"
)

// memPeaks are the largest values seen of some runtime.MemStats fields.
type memPeaks struct {
	HeapAlloc, HeapInuse, HeapSys, StackInuse, Sys uint64
	NumGC                                          uint32
}

func main() {
	if dir := os.Getenv("BENCH_CPUPROFILE_DIR"); dir != "" {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu.%d.pprof", os.Getpid())))
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	if dir := os.Getenv("BENCH_MEMPROFILE_DIR"); dir != "" {
		stop := sampleMemory(filepath.Join(dir, fmt.Sprintf("mem.%d.json", os.Getpid())))
		defer stop()
		defer func() {
			if f, err := os.Create(filepath.Join(dir, fmt.Sprintf("heap.%d.pprof", os.Getpid()))); err == nil {
				runtime.GC() // in use = still reachable at exit
				_ = pprof.Lookup("heap").WriteTo(f, 0)
				_ = f.Close()
			}
		}()
	}
	provider.QuietLogsUnlessAsked() // as main.go does
	err := providerserver.Serve(context.Background(), provider.New("bench"), providerserver.ServeOpts{
		Address: "registry.terraform.io/albato/albato",
	})
	if err != nil {
		log.Print(err)
	}
}

// sampleMemory records the peaks of the runtime's memory statistics until
// the returned function is called, which writes them to path.
func sampleMemory(path string) func() {
	var mu sync.Mutex
	var peaks memPeaks
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mu.Lock()
		defer mu.Unlock()
		peaks.HeapAlloc = max(peaks.HeapAlloc, ms.HeapAlloc)
		peaks.HeapInuse = max(peaks.HeapInuse, ms.HeapInuse)
		peaks.HeapSys = max(peaks.HeapSys, ms.HeapSys)
		peaks.StackInuse = max(peaks.StackInuse, ms.StackInuse)
		peaks.Sys = max(peaks.Sys, ms.Sys)
		peaks.NumGC = ms.NumGC
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		if b, err := json.Marshal(peaks); err == nil {
			_ = os.WriteFile(path, b, 0o644)
		}
	}
}
