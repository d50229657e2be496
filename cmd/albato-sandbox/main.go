// Command albato-sandbox runs a local emulator of Albato's sharing API
// (connection via link) and of the end user's connect page, for demos and
// offline tests. See package internal/sandbox for the routes.
package main

import (
	"cmp"
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
	"strconv"
	"strings"
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
	settings            sandbox.Settings
	strict              bool
	dataFile            string
	control             bool
	allowHosts          []string
	notFoundAfterDelete bool
	latency             time.Duration
	addrFile            string
	quiet               bool
}

const usageHead = `albato-sandbox: a local emulator of Albato's sharing API (connection via link)
and of the end user's connect page.

Usage: albato-sandbox [flags]

API (every request needs the token in the Authorization header, under a scheme
that -auth accepts: Bearer <token>, Basic <token> raw, or standard Basic):
  POST   /credentials/grant-access-sharing        {"partnerId":225,"title":"..."}
  GET    /credentials/grant-access-sharing?page=N&per-page=M
  GET    /credentials/grant-access-sharing/{id}
  PUT    /credentials/grant-access-sharing/{id}   new token, status 0
  DELETE /credentials/grant-access-sharing/{id}   status 3
Partners: 225 Demo CRM (API key), 226 Demo Mailer (login/password), 227 Demo Calendar (OAuth).

The list pages like Albato's sibling list endpoints: page is 1-based; per-page
from 1 to -max-per-page is honoured, any other value gets -page-size; a page past
the last answers with the last page (unless -empty-page-out-of-range).

Connect page (the link for the end user): /connect?id=<id>&token=<token>, where
id is the partnerId, or the sharing id with -link-id sharing_id.

-strict plays the strictest reading of Albato's documents: -auth basic
-link-id sharing_id -page-size 20 -max-per-page 50 -dates unix. Flags given
with it override it.

Control endpoints (only with -control; JSON, no authentication):
  GET    /_sandbox/sharings                 all records, tokens included
  GET    /_sandbox/sharings/{id}            one record
  DELETE /_sandbox/sharings/{id}            remove the record entirely (API then answers 404)
  POST   /_sandbox/sharings/{id}/grant      complete as the end user -> {"credentialId":N}
  POST   /_sandbox/sharings/{id}/oauth      start the OAuth flow (status 2; OAuth partners only)
  POST   /_sandbox/sharings/{id}/revoke     revoke out of band (status 3)
  GET    /_sandbox/clock                    {"now":...}
  POST   /_sandbox/clock                    {"advance":"49h"} -> {"now":...}
  GET    /_sandbox/settings                 the readings in force (auth, link id, paging, dates)
  POST   /_sandbox/settings                 change some: {"authScheme":"bearer","linkId":"sharing_id",
                                            "pageSize":20,"maxPerPage":50,"emptyPageWhenOutOfRange":false,
                                            "ignorePage":false,"dateFormat":"unix","regenerateMovesDate":false}
  GET    /_sandbox/faults                   installed faults
  POST   /_sandbox/faults                   add a fault: {"method":"GET","pathPrefix":"/credentials",
                                            "status":429,"retryAfter":"2","body":"...","emptyBody":false,
                                            "latency":"2s","afterHandling":false,
                                            "drop":false,"times":3,"normalizeTitle":false}
                                            (all fields optional; times 0 = unlimited)
  DELETE /_sandbox/faults                   remove all faults
  GET    /_sandbox/requests                 {"counts":{"GET":n,...},"requests":[...]}
  DELETE /_sandbox/requests                 empty the request log

The clock's offset stays within ±100 years, page sizes within 1 to 100000 (400
beyond). Since any web page the user visits can send requests to this machine,
the control endpoints answer only a loopback Host (localhost, 127.0.0.0/8,
[::1]; add names with -allow-host), refuse a browser's Origin that is not one
of those, and take bodies only as Content-Type: application/json (403, 403,
415). With the default token the API too answers only those hosts. This stops
web pages, not programs that connect: listen only where your tools run. From a
container (Linux, Docker's bridge):
  albato-sandbox -control -addr 172.17.0.1:8080 -allow-host host.docker.internal -token "$TOKEN"
  docker run --add-host host.docker.internal:host-gateway -e ALBATO_API_URL=http://host.docker.internal:8080 ...

Flags:
`

// parseConfig parses the command line; getenv supplies the environment.
// It returns flag.ErrHelp after printing the usage for -h.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (config, error) {
	c, err := parseFlags(args, sandbox.DefaultSettings(), out)
	if err == nil && c.strict { // again, with the strict reading as the defaults
		c, err = parseFlags(args, sandbox.StrictSettings(), io.Discard)
	}
	if err != nil {
		return c, err
	}
	c.token = cmp.Or(c.token, getenv(tokenEnv), sandbox.DefaultToken)
	switch {
	case c.settings.PageSize < 1 || c.settings.PageSize > sandbox.MaxPageSize:
		return c, fmt.Errorf("-page-size must be from 1 to %d, got %d", sandbox.MaxPageSize, c.settings.PageSize)
	case c.settings.MaxPerPage < 1 || c.settings.MaxPerPage > sandbox.MaxPageSize:
		return c, fmt.Errorf("-max-per-page must be from 1 to %d, got %d", sandbox.MaxPageSize, c.settings.MaxPerPage)
	case c.latency < 0:
		return c, fmt.Errorf("-latency must not be negative, got %s", c.latency)
	}
	if err := c.settings.Validate(); err != nil {
		return c, errors.New(strings.TrimPrefix(err.Error(), "sandbox: "))
	}
	return c, nil
}

// parseFlags parses args into a config whose settings default to defaults.
func parseFlags(args []string, defaults sandbox.Settings, out io.Writer) (config, error) {
	c := config{settings: defaults}
	fs := flag.NewFlagSet("albato-sandbox", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, usageHead)
		fs.PrintDefaults()
	}
	set := &c.settings
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen `address` (host:port; port 0 picks a free port)")
	fs.StringVar(&c.token, "token", "", "API `token` to accept (default $"+tokenEnv+", else \""+sandbox.DefaultToken+"\")")
	fs.StringVar((*string)(&set.AuthScheme), "auth", string(set.AuthScheme), "accepted Authorization `scheme`: bearer, basic-raw (Basic <token>), basic (Basic base64(<token>:)) or any")
	fs.StringVar((*string)(&set.LinkID), "link-id", string(set.LinkID), "the `id` the connect page expects in a link: partner_id or sharing_id")
	fs.IntVar(&set.PageSize, "page-size", set.PageSize, "records per page of the list when per-page is absent or out of range (at most "+strconv.Itoa(sandbox.MaxPageSize)+")")
	fs.IntVar(&set.MaxPerPage, "max-per-page", set.MaxPerPage, "largest per-page honoured (at most "+strconv.Itoa(sandbox.MaxPageSize)+")")
	fs.BoolVar(&set.EmptyPageWhenOutOfRange, "empty-page-out-of-range", set.EmptyPageWhenOutOfRange, "answer a page past the last with no data, not with the last page")
	fs.BoolVar(&set.IgnorePage, "ignore-page", set.IgnorePage, "ignore page and always answer page 1 (an API that does not page)")
	fs.BoolVar(&set.RegenerateMovesDate, "regenerate-moves-date", set.RegenerateMovesDate, "make PUT move dateCreated to the new token's issue (by default it keeps the creation date)")
	fs.StringVar((*string)(&set.DateFormat), "dates", string(set.DateFormat), "`format` of dateCreated: datetime (\"2006-01-02 15:04:05\" UTC), unix, unix-string or rfc3339")
	fs.BoolVar(&c.strict, "strict", false, "the strictest reading: -auth basic -link-id sharing_id -page-size 20 -max-per-page 50 -dates unix")
	fs.StringVar(&c.dataFile, "data", "", "keep state in this JSON `file` (mode 0600) across restarts; default in memory")
	fs.BoolVar(&c.control, "control", false, "enable the /_sandbox/ control endpoints")
	fs.Func("allow-host", "also answer this `host` name (no port; repeat or comma-separate) besides loopback, e.g. host.docker.internal", func(v string) error {
		c.allowHosts = append(c.allowHosts, strings.Split(v, ",")...)
		return nil
	})
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
		EnableControl:       c.control,
		AllowedHosts:        c.allowHosts,
		DataFile:            c.dataFile,
		NotFoundAfterDelete: c.notFoundAfterDelete,
		Latency:             c.latency,
	}
	if !c.quiet {
		opts.Logf = logger.Printf
	}
	srv, err := sandbox.New(opts)
	if err == nil {
		err = srv.SetSettings(c.settings)
	}
	var ln net.Listener
	if err == nil {
		ln, err = listen(c.addr, c.addrFile)
	}
	if err != nil {
		fmt.Fprintln(stderr, "albato-sandbox:", err)
		return 1
	}
	addr := ln.Addr().String()
	fmt.Fprintf(stdout, "albato-sandbox listening on http://%s (API: http://%s, connect page: http://%s/connect)\n", addr, addr, addr)
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          logger,
	}
	if err := serve(ctx, hs, ln); err != nil {
		fmt.Fprintln(stderr, "albato-sandbox:", err)
		return 1
	}
	return 0
}

// listen opens the listener and writes its address to addrFile, if given.
func listen(addr, addrFile string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil || addrFile == "" {
		return ln, err
	}
	if err := os.WriteFile(addrFile, []byte(ln.Addr().String()+"\n"), 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("writing -addr-file: %w", err)
	}
	return ln, nil
}

// serve serves on ln until ctx ends, then shuts down within 5 seconds.
func serve(ctx context.Context, hs *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		hs.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
