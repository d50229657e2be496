package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// machine describes where the numbers were measured.
type machine struct {
	CPU              string
	Cores            int
	Kernel           string
	GoVersion        string
	TerraformVersion string
	Framework        string
	LoadStart        string
	LoadEnd          string
}

func readMachine(ctx context.Context, terraform string) machine {
	m := machine{CPU: "unknown", Cores: runtime.NumCPU(), GoVersion: runtime.Version(), LoadStart: loadAverage()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		_ = f.Close()
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if out, err := exec.CommandContext(ctx, terraform, "version", "-json").Output(); err == nil {
		var v struct {
			Version string `json:"terraform_version"`
		}
		if json.Unmarshal(out, &v) == nil {
			m.TerraformVersion = v.Version
		}
	}
	// The bench itself does not link the framework: ask the module.
	if out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Version}}", "github.com/hashicorp/terraform-plugin-framework").Output(); err == nil {
		m.Framework = strings.TrimSpace(string(out))
	}
	return m
}

// loadAverage is the 1, 5 and 15 minute load average.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// resolveTerraform finds the CLI and checks that it runs.
func resolveTerraform(path string) (string, error) {
	p, err := exec.LookPath(path)
	if err != nil {
		return "", fmt.Errorf("terraform CLI %q not found (make bench builds it; or set TERRAFORM): %w", path, err)
	}
	return filepath.Abs(p)
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times; 100 on Linux.
const clockTicks = 100

// processCPU is the user+system CPU time of a process so far, in seconds.
func processCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	// The command name may contain spaces: fields start after its ')'.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / clockTicks
}

// connWatcher counts the TCP connections opened to a local port while it
// runs: it samples /proc/net/tcp every second and collects the client-side
// ports of connections to that port, whatever their state. A connection
// closed during the command stays in TIME_WAIT for a minute, so one second
// between samples misses none.
type connWatcher struct {
	port   int
	before map[int]bool
	seen   map[int]bool
	mu     sync.Mutex
	done   chan struct{}
	wg     sync.WaitGroup
}

func watchConns(port int) *connWatcher {
	w := &connWatcher{port: port, before: clientPorts(port), seen: map[int]bool{}, done: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-t.C:
				w.sample()
			}
		}
	}()
	return w
}

func (w *connWatcher) sample() {
	ports := clientPorts(w.port)
	w.mu.Lock()
	defer w.mu.Unlock()
	for p := range ports {
		if !w.before[p] {
			w.seen[p] = true
		}
	}
}

// stop takes a last sample and returns how many connections were opened.
func (w *connWatcher) stop() int {
	close(w.done)
	w.wg.Wait()
	w.sample()
	return len(w.seen)
}

// clientPorts returns the local ports of the client side of every TCP
// connection to 127.0.0.1:port, as listed in /proc/net/tcp.
func clientPorts(port int) map[int]bool {
	out := map[int]bool{}
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 4 || fields[3] == "0A" { // 0A: LISTEN
				continue
			}
			local, remote := hexPort(fields[1]), hexPort(fields[2])
			switch {
			case remote == port:
				out[local] = true
			case local == port:
				out[remote] = true
			}
		}
		_ = f.Close()
	}
	return out
}

func hexPort(addr string) int {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return -1
	}
	n, err := strconv.ParseInt(addr[i+1:], 16, 32)
	if err != nil {
		return -1
	}
	return int(n)
}
