// Command rusage-shim stands in for a provider binary in `make bench`: the
// dev_overrides directory holds a copy of it under the provider's name, and
// it runs the real binary of the same name from $BENCH_SHIM_REAL_DIR as its
// child, with the same arguments, environment and standard streams (so the
// plugin handshake on stdout reaches Terraform untouched). When the child
// exits it appends one JSON line to $BENCH_SHIM_LOG with the child's peak
// RSS and CPU time, exactly as the kernel reports them to its parent
// (wait4's rusage), and exits with the child's status.
//
// Sampling /proc/<pid>/status from outside would miss the last moments of
// the process and need a polling loop; being the parent gets exact numbers.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// Record is one provider process, as written to $BENCH_SHIM_LOG.
type Record struct {
	Name      string  `json:"name"`
	PID       int     `json:"pid"`
	MaxRSSKiB int64   `json:"maxRssKiB"`
	UserSec   float64 `json:"userSec"`
	SysSec    float64 `json:"sysSec"`
	WallSec   float64 `json:"wallSec"`
	Exit      int     `json:"exit"`
}

func main() {
	name := filepath.Base(os.Args[0])
	realDir := os.Getenv("BENCH_SHIM_REAL_DIR")
	if realDir == "" {
		fmt.Fprintln(os.Stderr, "rusage-shim: BENCH_SHIM_REAL_DIR is not set")
		os.Exit(1)
	}
	// Pdeathsig belongs to the thread that starts the child: keep it.
	runtime.LockOSThread()
	cmd := exec.Command(filepath.Join(realDir, name), os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rusage-shim:", err)
		os.Exit(1)
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	_ = cmd.Wait()
	st := cmd.ProcessState
	rec := Record{Name: name, PID: st.Pid(), WallSec: time.Since(start).Seconds(), Exit: st.ExitCode(),
		UserSec: st.UserTime().Seconds(), SysSec: st.SystemTime().Seconds()}
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		rec.MaxRSSKiB = ru.Maxrss // KiB on Linux
	}
	if path := os.Getenv("BENCH_SHIM_LOG"); path != "" {
		if line, err := json.Marshal(rec); err == nil {
			if f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
				_, _ = f.Write(append(line, '\n')) // one small O_APPEND write: lines never interleave
				_ = f.Close()
			}
		}
	}
	code := st.ExitCode()
	if code < 0 {
		code = 1
	}
	os.Exit(code)
}
