package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseConfigDefaults(t *testing.T) {
	c, err := parseConfig(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := config{addr: "127.0.0.1:8080", token: "sandbox-token", settings: sandbox.Settings{
		AuthScheme: "any", LinkID: "partner_id", PageSize: 20, MaxPerPage: 50, DateFormat: "datetime",
	}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v, want %+v", c, want)
	}
}

func TestParseConfigFlagsAndEnv(t *testing.T) {
	c, err := parseConfig(nil, env(map[string]string{tokenEnv: "from-env"}), io.Discard)
	if err != nil || c.token != "from-env" {
		t.Errorf("env token: %+v %v", c, err)
	}
	c, err = parseConfig([]string{
		"-addr", "127.0.0.1:0", "-token", "from-flag", "-page-size", "2", "-data", "s.json",
		"-control", "-not-found-after-delete", "-latency", "25ms", "-addr-file", "a.txt", "-quiet",
		"-allow-host", "host.docker.internal", "-allow-host", "sandbox,gateway",
	}, env(map[string]string{tokenEnv: "from-env"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := config{
		addr: "127.0.0.1:0", token: "from-flag", dataFile: "s.json", control: true,
		allowHosts:          []string{"host.docker.internal", "sandbox", "gateway"},
		settings:            sandbox.Settings{AuthScheme: "any", LinkID: "partner_id", PageSize: 2, MaxPerPage: 50, DateFormat: "datetime"},
		notFoundAfterDelete: true, latency: 25 * time.Millisecond, addrFile: "a.txt", quiet: true,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v, want %+v", c, want)
	}
	for _, bad := range [][]string{
		{"-page-size", "0"}, {"-max-per-page", "0"}, {"-auth", "digest"}, {"-link-id", "id"}, {"-dates", "iso"},
		{"-strict", "-dates", "iso"}, {"-latency", "-1s"}, {"-latency", "soon"}, {"-nope"}, {"extra"},
	} {
		if _, err := parseConfig(bad, env(nil), io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestParseConfigReadings(t *testing.T) {
	strict := sandbox.StrictSettings()
	for _, tc := range []struct {
		args []string
		want sandbox.Settings
	}{
		{[]string{"-auth", "bearer"}, sandbox.Settings{AuthScheme: "bearer", LinkID: "partner_id", PageSize: 20, MaxPerPage: 50, DateFormat: "datetime"}},
		{[]string{"-auth", "basic-raw", "-link-id", "sharing_id", "-dates", "unix-string"},
			sandbox.Settings{AuthScheme: "basic-raw", LinkID: "sharing_id", PageSize: 20, MaxPerPage: 50, DateFormat: "unix-string"}},
		{[]string{"-page-size", "2", "-max-per-page", "3", "-empty-page-out-of-range", "-ignore-page", "-dates", "rfc3339"},
			sandbox.Settings{AuthScheme: "any", LinkID: "partner_id", PageSize: 2, MaxPerPage: 3, EmptyPageWhenOutOfRange: true, IgnorePage: true, DateFormat: "rfc3339"}},
		{[]string{"-strict"}, strict},
		{[]string{"-strict", "-page-size", "2", "-max-per-page", "3"},
			sandbox.Settings{AuthScheme: "basic", LinkID: "sharing_id", PageSize: 2, MaxPerPage: 3, DateFormat: "unix"}},
		{[]string{"-auth", "any", "-strict", "-dates", "datetime"},
			sandbox.Settings{AuthScheme: "any", LinkID: "sharing_id", PageSize: 20, MaxPerPage: 50, DateFormat: "datetime"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			c, err := parseConfig(tc.args, env(nil), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if c.settings != tc.want {
				t.Errorf("settings %+v, want %+v", c.settings, tc.want)
			}
		})
	}
	if strict != (sandbox.Settings{AuthScheme: "basic", LinkID: "sharing_id", PageSize: 20, MaxPerPage: 50, DateFormat: "unix"}) {
		t.Errorf("StrictSettings() = %+v", strict)
	}
}

// TestParseConfigPageSizeBounds: a page size or max per-page is accepted
// exactly from 1 to MaxPageSize, and anything else is a start-up error
// naming the flag and the bound.
func TestParseConfigPageSizeBounds(t *testing.T) {
	maxS := strconv.Itoa(sandbox.MaxPageSize)
	for _, flagName := range []string{"-page-size", "-max-per-page"} {
		for _, tc := range []struct {
			value string
			ok    bool
		}{
			{"1", true}, {maxS, true},
			{"0", false}, {"-1", false}, {strconv.Itoa(sandbox.MaxPageSize + 1), false},
			{"9223372036854775807", false}, {"-9223372036854775808", false},
		} {
			c, err := parseConfig([]string{flagName, tc.value}, env(nil), io.Discard)
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s %s: %v", flagName, tc.value, err)
			case !tc.ok && err == nil:
				t.Errorf("%s %s accepted: %+v", flagName, tc.value, c.settings)
			case !tc.ok && !strings.Contains(err.Error(), flagName+" must be from 1 to "+maxS):
				t.Errorf("%s %s: error %q does not name the flag and the bound", flagName, tc.value, err)
			}
		}
	}
}

func TestHelpDocumentsFlagsAndControlEndpoints(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfig([]string{"-h"}, env(map[string]string{tokenEnv: "secret-from-env"}), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	help := out.String()
	for _, s := range []string{"-addr", "-token", "-page-size", "-data", "-control", "-not-found-after-delete",
		"-auth", "-link-id", "-max-per-page", "-empty-page-out-of-range", "-ignore-page", "-dates", "-strict",
		"/_sandbox/settings", "basic-raw", "sharing_id", "unix-string", "rfc3339", "per-page",
		"-latency", "-addr-file", "-allow-host", "application/json", tokenEnv, "/_sandbox/sharings/{id}/grant", "/_sandbox/clock", "/_sandbox/faults",
		"/_sandbox/requests", "/connect?id=", "within 1 to " + strconv.Itoa(sandbox.MaxPageSize),
		fmt.Sprintf("within ±%d years", sandbox.MaxClockOffset/(8766*time.Hour))} {
		if !strings.Contains(help, s) {
			t.Errorf("help lacks %q", s)
		}
	}
	if strings.Contains(help, "secret-from-env") {
		t.Error("help shows the token")
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunServesAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	addrFile := filepath.Join(dir, "addr")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-addr-file", addrFile, "-control", "-strict", "-allow-host", "sandbox.test"},
			env(map[string]string{tokenEnv: "run-token"}), &stdout, &stderr)
	}()
	var addr string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			addr = strings.TrimSpace(string(b))
			break
		}
	}
	if addr == "" {
		t.Fatalf("no address written; stderr: %s", stderr.String())
	}
	// -strict reaches the server: standard Basic only.
	for auth, want := range map[string]int{
		"Bearer run-token": 401,
		"Basic " + base64.StdEncoding.EncodeToString([]byte("run-token:")): 200,
	} {
		req, _ := http.NewRequest("GET", "http://"+addr+"/credentials/grant-access-sharing", nil)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: status %d, want %d", strings.Fields(auth)[0], resp.StatusCode, want)
		}
	}
	resp, err := http.Get("http://" + addr + "/_sandbox/settings")
	if err != nil {
		t.Fatal(err)
	}
	var got sandbox.Settings
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || got != sandbox.StrictSettings() {
		t.Errorf("control settings: status %d, %+v, %v", resp.StatusCode, got, err)
	}
	// -allow-host reaches the server: the control endpoints answer that Host
	// and no other.
	for host, want := range map[string]int{"sandbox.test:8080": 200, "elsewhere.test": 403} {
		req, _ := http.NewRequest("GET", "http://"+addr+"/_sandbox/clock", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: status %d, want %d", host, resp.StatusCode, want)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d; stderr: %s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	wantLine := "albato-sandbox listening on http://" + addr + " (API: http://" + addr + ", connect page: http://" + addr + "/connect)\n"
	if stdout.String() != wantLine {
		t.Errorf("stdout = %q, want %q", stdout.String(), wantLine)
	}
	if strings.Contains(stdout.String()+stderr.String(), "run-token") {
		t.Error("the token was printed")
	}
}

func TestRunRefusesABadAllowedHost(t *testing.T) {
	// The deadline ends the test should run start serving after all.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	code := run(ctx, []string{"-addr", "127.0.0.1:0", "-allow-host", "http://sandbox:8080"}, env(nil), io.Discard, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), `allowed host "http://sandbox:8080"`) {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}
