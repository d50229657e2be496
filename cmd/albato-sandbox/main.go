// Command albato-sandbox runs a local emulator of Albato's sharing API
// (connection via link) and of the end user's connect page, for demos and
// offline tests. See package internal/sandbox for the routes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// tokenEnv is the environment variable that supplies the token when -token is not given.
const tokenEnv = "ALBATO_SANDBOX_TOKEN"

// config is the parsed command line.
type config struct {
	addr                string
	token               string
	pageSize            int
	dataFile            string
	control             bool
	notFoundAfterDelete bool
	latency             time.Duration
	addrFile            string
	quiet               bool
}

const usageHead = `albato-sandbox: a local emulator of Albato's sharing API (connection via link)
and of the end user's connect page.

Usage: albato-sandbox [flags]

API (every request needs "Authorization: Basic <token>" or "Bearer <token>"):
  POST   /credentials/grant-access-sharing        {"partnerId":225,"title":"..."}
  GET    /credentials/grant-access-sharing?page=N
  GET    /credentials/grant-access-sharing/{id}
  PUT    /credentials/grant-access-sharing/{id}   new token, status 0
  DELETE /credentials/grant-access-sharing/{id}   status 3
Partners: 225 Demo CRM (API key), 226 Demo Mailer (login/password), 227 Demo Calendar (OAuth).

Connect page (the link for the end user): /connect?id=<partnerId>&token=<token>

Control endpoints (only with -control; JSON, no authentication):
  GET    /_sandbox/sharings                 all records, tokens included
  GET    /_sandbox/sharings/{id}            one record
  DELETE /_sandbox/sharings/{id}            remove the record entirely (API then answers 404)
  POST   /_sandbox/sharings/{id}/grant      complete as the end user -> {"credentialId":N}
  POST   /_sandbox/sharings/{id}/oauth      start the OAuth flow (status 2; OAuth partners only)
  POST   /_sandbox/sharings/{id}/revoke     revoke out of band (status 3)
  GET    /_sandbox/clock                    {"now":...}
  POST   /_sandbox/clock                    {"advance":"49h"} -> {"now":...}
  GET    /_sandbox/faults                   installed faults
  POST   /_sandbox/faults                   add a fault: {"method":"GET","pathPrefix":"/credentials",
                                            "status":429,"retryAfter":"2","body":"...","emptyBody":false,
                                            "contentType":"...","latency":"2s","afterHandling":false,
                                            "drop":false,"times":3}  (all fields optional; times 0 = unlimited)
  DELETE /_sandbox/faults                   remove all faults
  GET    /_sandbox/requests                 {"counts":{"GET":n,...},"requests":[...]}
  DELETE /_sandbox/requests                 empty the request log

Flags:
`

// parseConfig parses the command line; getenv supplies the environment.
// It returns flag.ErrHelp after printing the usage for -h.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("albato-sandbox", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, usageHead)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen `address` (host:port; port 0 picks a free port)")
	fs.StringVar(&c.token, "token", "", "API `token` to accept (default $"+tokenEnv+", else \""+sandbox.DefaultToken+"\")")
	fs.IntVar(&c.pageSize, "page-size", sandbox.DefaultPageSize, "records per page of the list endpoint")
	fs.StringVar(&c.dataFile, "data", "", "keep state in this JSON `file` (mode 0600) across restarts; default in memory")
	fs.BoolVar(&c.control, "control", false, "enable the /_sandbox/ control endpoints")
	fs.BoolVar(&c.notFoundAfterDelete, "not-found-after-delete", false, "answer 404 for a deleted sharing instead of the record with status 3")
	fs.DurationVar(&c.latency, "latency", 0, "fixed `delay` before every API answer, e.g. 25ms")
	fs.StringVar(&c.addrFile, "addr-file", "", "write the actual listen address to this `file` once listening")
	fs.BoolVar(&c.quiet, "quiet", false, "do not log requests to stderr")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.token == "" {
		c.token = getenv(tokenEnv)
	}
	if c.token == "" {
		c.token = sandbox.DefaultToken
	}
	if c.pageSize < 1 {
		return c, fmt.Errorf("-page-size must be at least 1, got %d", c.pageSize)
	}
	if c.latency < 0 {
		return c, fmt.Errorf("-latency must not be negative, got %s", c.latency)
	}
	return c, nil
}

// run starts the sandbox and serves until ctx ends. It returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "albato-sandbox:", err)
		return 2
	}
	logger := log.New(stderr, "albato-sandbox: ", log.LstdFlags)
	opts := sandbox.Options{
		Token:               c.token,
		PageSize:            c.pageSize,
		EnableControl:       c.control,
		DataFile:            c.dataFile,
		NotFoundAfterDelete: c.notFoundAfterDelete,
		Latency:             c.latency,
	}
	if !c.quiet {
		opts.Logf = logger.Printf
	}
	srv, err := sandbox.New(opts)
	if err != nil {
		fmt.Fprintln(stderr, "albato-sandbox:", err)
		return 1
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		fmt.Fprintln(stderr, "albato-sandbox:", err)
		return 1
	}
	addr := ln.Addr().String()
	if c.addrFile != "" {
		if err := os.WriteFile(c.addrFile, []byte(addr+"\n"), 0o600); err != nil {
			ln.Close()
			fmt.Fprintln(stderr, "albato-sandbox: writing -addr-file:", err)
			return 1
		}
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          logger,
	}
	fmt.Fprintf(stdout, "albato-sandbox listening on http://%s (API: http://%s, connect page: http://%s/connect)\n", addr, addr, addr)

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintln(stderr, "albato-sandbox:", err)
		return 1
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		hs.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "albato-sandbox:", err)
		return 1
	}
	return 0
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
