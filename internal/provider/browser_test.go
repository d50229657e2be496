package provider

// The end user's side of a connection link, in a real browser: Terraform
// hands out a link, a headless Chromium opens it on the in-process sandbox's
// connect page and fills the form, and the next refresh shows what the end
// user did. These tests need Chromium (make chromium); they skip without it,
// except on CI (CI set), where a missing browser is a failure.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

const (
	// browserActionTimeout bounds one browser action (open, submit, read).
	browserActionTimeout = 60 * time.Second
	// browserLifetime bounds a whole test's browser, Terraform steps included.
	browserLifetime = 10 * time.Minute
	// screenshotPath is where ALBATO_UPDATE_SCREENSHOTS=1 writes the connect
	// page's screenshot, relative to this package.
	screenshotPath = "../../docs/images/connect-page.png"
	// browserWidth and browserHeight are the window, and so the screenshot.
	browserWidth, browserHeight = 960, 720
)

// findChromium returns the browser to drive: $ALBATO_CHROMIUM, else
// /usr/bin/chromium, else chromium, chromium-browser or google-chrome on
// PATH; "" when there is none.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ALBATO_CHROMIUM"); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("ALBATO_CHROMIUM=%q is not an executable: %v", p, err)
		}
		return found
	}
	if st, err := os.Stat("/usr/bin/chromium"); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// lockedBuffer collects the browser's output for the failure log.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// browserLog is the end of Chromium's output without the noise of a
// machine with no D-Bus session.
func browserLog(s string) string {
	var keep []string
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if !strings.Contains(line, "dbus/") {
			keep = append(keep, line)
		}
	}
	if len(keep) > 40 {
		keep = keep[len(keep)-40:]
	}
	return strings.Join(keep, "\n")
}

// browser is one headless Chromium with one tab, the end user's.
type browser struct {
	t   *testing.T
	ctx context.Context // the tab
}

// newBrowser starts Chromium for the test and stops it when the test ends,
// passed or failed. It skips like resource.Test without TF_ACC, and without
// a browser unless CI is set.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance tests are skipped unless %s is set", resource.EnvTfAcc)
	}
	path := findChromium(t)
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium found ($ALBATO_CHROMIUM, /usr/bin/chromium, chromium, chromium-browser, google-chrome), and CI must run the browser tests: run make chromium")
		}
		t.Skip("no Chromium: run make chromium (or set ALBATO_CHROMIUM)")
	}

	out := &lockedBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests may run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// Without these, Chromium reaches for the network on its own, and the
		// closed network of a CI runner makes it misbehave.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), // a fresh profile
		chromedp.WindowSize(browserWidth, browserHeight),
		chromedp.CombinedOutput(out),
	)
	root, cancelRoot := context.WithTimeout(context.Background(), browserLifetime)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	// Cleanups run last-in first-out: the tab, then the browser process
	// (cancelAlloc waits for it to exit), then the profile directory.
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelRoot()
		if t.Failed() {
			t.Logf("Chromium (%s) output, last lines:\n%s", path, browserLog(out.String()))
		}
	})

	// The first Run starts the browser and binds it to the tab's context,
	// so it gets no timeout of its own: a watchdog ends a start that hangs.
	watchdog := time.AfterFunc(browserActionTimeout, cancelRoot)
	err := chromedp.Do(tab)
	watchdog.Stop()
	if err != nil {
		t.Fatalf("starting Chromium (%s): %v\n%s", path, err, browserLog(out.String()))
	}
	return &browser{t: t, ctx: tab}
}

// shownPage is what the end user sees after a navigation.
type shownPage struct {
	URL    string // where the browser ended up, after redirects
	Status int64  // HTTP status of the document, from the network events
	Text   string // visible text of <main>, spaces collapsed
}

func (p *shownPage) String() string {
	return fmt.Sprintf("HTTP %d at %s: %q", p.Status, p.URL, p.Text)
}

// expect checks the status and that each text is visible on the page.
func (p *shownPage) expect(status int64, texts ...string) error {
	if p.Status != status {
		return fmt.Errorf("page has HTTP status %d, want %d; page: %s", p.Status, status, p)
	}
	for _, s := range texts {
		if !strings.Contains(p.Text, s) {
			return fmt.Errorf("page does not show %q; page: %s", s, p)
		}
	}
	return nil
}

// do runs f on the tab within browserActionTimeout.
func (b *browser) do(what string, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(b.ctx, browserActionTimeout)
	defer cancel()
	if err := f(ctx); err != nil {
		return fmt.Errorf("browser: %s: %w", what, err)
	}
	return nil
}

// shown reads the page that resp brought.
func shown(ctx context.Context, resp *network.Response) (*shownPage, error) {
	if resp == nil {
		return nil, errors.New("the navigation brought no HTTP response")
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return nil, err
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		return nil, fmt.Errorf("reading the page at %s (HTTP %d): %w", loc, resp.Status, err)
	}
	return &shownPage{URL: loc, Status: resp.Status, Text: strings.Join(strings.Fields(text), " ")}, nil
}

// open navigates to link, as the end user following it.
func (b *browser) open(link string) (*shownPage, error) {
	var p *shownPage
	err := b.do("opening the link", func(ctx context.Context) error {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(link))
		if err != nil {
			return err
		}
		p, err = shown(ctx, resp)
		return err
	})
	return p, err
}

// field is one form input to type into, by CSS selector.
type field struct{ sel, value string }

// submit types the fields (real key events), clicks the button and waits for
// the page that the submission brings.
func (b *browser) submit(button string, fields ...field) (*shownPage, error) {
	var p *shownPage
	err := b.do("submitting the form with "+button, func(ctx context.Context) error {
		for _, f := range fields {
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(f.sel), f.value)); err != nil {
				return fmt.Errorf("typing into %s: %w", f.sel, err)
			}
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button)))
		if err != nil {
			return err
		}
		p, err = shown(ctx, resp)
		return err
	})
	return p, err
}

// eval evaluates a JavaScript expression in the page (through DevTools, so
// the page's Content-Security-Policy does not apply).
func eval[T any](b *browser, expr string) (T, error) {
	var v T
	err := b.do("evaluating "+expr, func(ctx context.Context) error {
		var err error
		v, err = chromedp.Run(ctx, chromedp.Evaluate[T](expr))
		return err
	})
	return v, err
}

// screenshot saves the whole page as a PNG: into docs/images when
// ALBATO_UPDATE_SCREENSHOTS=1 (make screenshots), else into a temporary
// directory, so that a normal run never changes the tree.
func (b *browser) screenshot(name string) error {
	var buf []byte
	if err := b.do("taking a screenshot", func(ctx context.Context) error {
		var err error
		buf, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
		return err
	}); err != nil {
		return err
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		return fmt.Errorf("the screenshot is not a PNG: %w", err)
	}
	if w := img.Bounds().Dx(); w != browserWidth {
		return fmt.Errorf("the screenshot is %d pixels wide, want %d", w, browserWidth)
	}
	path := screenshotPath
	if os.Getenv("ALBATO_UPDATE_SCREENSHOTS") == "1" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
	} else {
		path = filepath.Join(b.t.TempDir(), name)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return err
	}
	b.t.Logf("screenshot of the connect page (%dx%d): %s", img.Bounds().Dx(), img.Bounds().Dy(), path)
	return nil
}

const browserLinkAddr = "albato_connection_link.client"

// testAccBrowserConfig is one link for a partner.
func testAccBrowserConfig(e *testEnv, partnerID int, title string) string {
	return e.providerConfig() + fmt.Sprintf(`
resource "albato_connection_link" "client" {
  partner_id = %d
  title      = %q
}
`, partnerID, title)
}

// An API-key partner: the end user opens the link, fills the form, and the
// next plan shows the link granted with its credential, and changes nothing.
func TestAccBrowser_apiKeyJourney(t *testing.T) {
	e := newTestEnv(t)
	b := newBrowser(t)
	config := testAccBrowserConfig(e, 225, "CRM connection for Acme")
	var link string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					var err error
					if link, err = e.linkFromState(s, browserLinkAddr); err != nil {
						return err
					}
					p, err := b.open(link)
					if err != nil {
						return err
					}
					if err := p.expect(200, "Connect Demo CRM", "CRM connection for Acme", "API key", "Subdomain"); err != nil {
						return err
					}
					if err := b.screenshot("connect-page.png"); err != nil {
						return err
					}
					p, err = b.submit(`button[type="submit"]`,
						field{"#f-api_key", "demo-key-0123456789"},
						field{"#f-subdomain", "acme"},
					)
					if err != nil {
						return err
					}
					id, err := stateID(s, browserLinkAddr)
					if err != nil {
						return err
					}
					sh, _ := e.sandbox.Sharing(id)
					if sh.Status != 1 || sh.CredentialID == nil {
						return fmt.Errorf("after the form the sandbox holds %+v, want it granted; page: %s", sh, p)
					}
					if err := p.expect(200, "Connection created", "Your Demo CRM account is connected",
						fmt.Sprintf("connection #%d", *sh.CredentialID)); err != nil {
						return err
					}
					if strings.Contains(p.Text, "demo-key-0123456789") {
						return errors.New("the success page shows the API key")
					}
					return nil
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// The state is from the apply, before the end user acted.
					statecheck.ExpectKnownValue(browserLinkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
				},
			},
			{
				// The next run of the same configuration: the refresh sees
				// the grant as a change outside Terraform, and plans nothing.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.expectGranted(browserLinkAddr),
					// The link is spent: following it again says so.
					func(*terraform.State) error {
						p, err := b.open(link)
						if err != nil {
							return err
						}
						return p.expect(410, "This link was already used", "Each link works only once")
					},
				),
			},
		},
	})
}

// A link built with each link_id opens the form in a sandbox that expects
// that id, and the end user completes it there; the same link with the
// other id gets the page's "unknown link" error (what a user sees when
// link_id does not match their account).
func TestAccBrowser_linkID(t *testing.T) {
	b := newBrowser(t)
	for _, tc := range []struct {
		linkID string
		want   sandbox.LinkID
	}{
		{"partner_id", sandbox.LinkPartnerID},
		{"sharing_id", sandbox.LinkSharingID},
	} {
		t.Run(tc.linkID, func(t *testing.T) {
			e := newTestEnv(t, func(o *sandbox.Options) { o.LinkID = tc.want })
			config := e.providerConfig(fmt.Sprintf("link_id = %q", tc.linkID)) + `
resource "albato_connection_link" "client" {
  partner_id = 225
  title      = "CRM connection for Acme"
}
`
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{
					{
						Config: config,
						Check: func(s *terraform.State) error {
							link, err := e.linkFromState(s, browserLinkAddr)
							if err != nil {
								return err
							}
							sh := e.onlySharing()
							right, wrong := sh.PartnerID, sh.ID
							if tc.want == sandbox.LinkSharingID {
								right, wrong = wrong, right
							}
							if u, err := url.Parse(link); err != nil || u.Query().Get("id") != fmt.Sprint(right) {
								return fmt.Errorf("the link does not carry id=%d (link_id %s)", right, tc.linkID)
							}
							// The other id first: the page must refuse it.
							other, err := withLinkID(link, wrong)
							if err != nil {
								return err
							}
							p, err := b.open(other)
							if err != nil {
								return err
							}
							if err := p.expect(404, "This link is not valid", "No connection request matches this link"); err != nil {
								return fmt.Errorf("the link with the other id (%d): %w", wrong, err)
							}
							p, err = b.open(link)
							if err != nil {
								return err
							}
							if err := p.expect(200, "Connect Demo CRM", "CRM connection for Acme"); err != nil {
								return err
							}
							p, err = b.submit(`button[type="submit"]`,
								field{"#f-api_key", "demo-key-0123456789"},
								field{"#f-subdomain", "acme"},
							)
							if err != nil {
								return err
							}
							return p.expect(200, "Connection created", "Your Demo CRM account is connected")
						},
					},
					{
						RefreshState: true,
						Check:        e.expectGranted(browserLinkAddr),
					},
				},
			})
		})
	}
}

// An OAuth partner: the connect button leads to the partner's consent page
// (status 2, waiting_oauth, until the end user answers), Allow grants it.
func TestAccBrowser_oauthJourney(t *testing.T) {
	e := newTestEnv(t)
	b := newBrowser(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: testAccBrowserConfig(e, 227, "Calendar for Acme"),
				Check: func(s *terraform.State) error {
					link, err := e.linkFromState(s, browserLinkAddr)
					if err != nil {
						return err
					}
					p, err := b.open(link)
					if err != nil {
						return err
					}
					if err := p.expect(200, "Connect Demo Calendar", "Calendar for Acme", "Connect with Demo Calendar"); err != nil {
						return err
					}
					if strings.Contains(p.Text, "API key") {
						return fmt.Errorf("the OAuth form asks for an API key: %s", p)
					}
					p, err = b.submit(`button[type="submit"]`)
					if err != nil {
						return err
					}
					if err := p.expect(200, "Demo Calendar", "Albato wants to access your Demo Calendar account", "Allow", "Deny"); err != nil {
						return err
					}
					if u, err := url.Parse(p.URL); err != nil || u.Path != "/connect/oauth/authorize" {
						return fmt.Errorf("the connect button led to %s, want the consent page /connect/oauth/authorize", p.URL)
					}
					return nil
				},
			},
			{
				// While the end user is on the consent page.
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(browserLinkAddr, "status", "2"),
					resource.TestCheckResourceAttr(browserLinkAddr, "status_name", "waiting_oauth"),
					resource.TestCheckNoResourceAttr(browserLinkAddr, "credential_id"),
					// Now the end user allows access.
					func(*terraform.State) error {
						p, err := b.submit(`button[value="allow"]`)
						if err != nil {
							return err
						}
						return p.expect(200, "Connection created", "Your Demo Calendar account is connected", "Calendar for Acme")
					},
				),
			},
			{
				RefreshState: true,
				Check:        e.expectGranted(browserLinkAddr),
			},
		},
	})
}

// A form submitted with an empty API key comes back with the error and
// grants nothing: first the browser's own check stops it, then the server's
// (HTTP 422) when the browser's check is bypassed.
func TestAccBrowser_validation(t *testing.T) {
	e := newTestEnv(t)
	b := newBrowser(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: testAccBrowserConfig(e, 225, "CRM connection for Acme"),
				Check: func(s *terraform.State) error {
					link, err := e.linkFromState(s, browserLinkAddr)
					if err != nil {
						return err
					}
					p, err := b.open(link)
					if err != nil {
						return err
					}
					if err := p.expect(200, "Connect Demo CRM"); err != nil {
						return err
					}
					// The field is required in the HTML, so the browser itself
					// refuses to send the form without it.
					missing, err := eval[bool](b, `document.getElementById("f-api_key").validity.valueMissing && !document.querySelector("form").checkValidity()`)
					if err != nil {
						return err
					}
					if !missing {
						return errors.New("the browser accepts the form without an API key: the field is not required")
					}
					// A client that skips that check meets the server's.
					if err := b.do("turning off the form's validation", func(ctx context.Context) error {
						return chromedp.Do(ctx, chromedp.SetAttributeValue(chromedp.CSS("form"), "novalidate", ""))
					}); err != nil {
						return err
					}
					p, err = b.submit(`button[type="submit"]`, field{"#f-subdomain", "acme"})
					if err != nil {
						return err
					}
					if err := p.expect(422, "Please correct the following", "API key is required.", "Connect Demo CRM"); err != nil {
						return err
					}
					if strings.Contains(p.Text, "Subdomain is required") {
						return fmt.Errorf("the subdomain was sent but the page says it is missing: %s", p)
					}
					// The form is there again, the typed subdomain kept.
					sub, err := eval[string](b, `document.getElementById("f-subdomain").value`)
					if err != nil {
						return err
					}
					if sub != "acme" {
						return fmt.Errorf("the form again shows subdomain %q, want the typed %q", sub, "acme")
					}
					return nil
				},
			},
			{
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(browserLinkAddr, "status", "0"),
					resource.TestCheckResourceAttr(browserLinkAddr, "status_name", "waiting"),
					resource.TestCheckNoResourceAttr(browserLinkAddr, "credential_id"),
					func(*terraform.State) error {
						sh := e.onlySharing()
						if sh.Status != 0 || sh.CredentialID != nil {
							return fmt.Errorf("the sandbox holds %+v after an invalid form, want it waiting", sh)
						}
						return nil
					},
				),
			},
		},
	})
}

// The pages of links that can no longer be used: revoked (by terraform
// destroying it) and expired (48 hours on the shared clock), then the
// regenerated link working again. (The spent link's page is in
// TestAccBrowser_apiKeyJourney.)
func TestAccBrowser_errorPages(t *testing.T) {
	e := newTestEnv(t)
	b := newBrowser(t)
	const (
		expiringAddr = "albato_connection_link.expiring"
		revokedAddr  = "albato_connection_link.revoked"
	)
	expiring := e.providerConfig() + `
resource "albato_connection_link" "expiring" {
  partner_id = 225
  title      = "link left to expire"
}
`
	both := expiring + `
resource "albato_connection_link" "revoked" {
  partner_id = 226
  title      = "link taken back"
}
`
	var expiringLink, revokedLink string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: both,
				Check: func(s *terraform.State) error {
					var err error
					if expiringLink, err = e.linkFromState(s, expiringAddr); err != nil {
						return err
					}
					if revokedLink, err = e.linkFromState(s, revokedAddr); err != nil {
						return err
					}
					p, err := b.open(revokedLink)
					if err != nil {
						return err
					}
					return p.expect(200, "Connect Demo Mailer", "Login", "Password")
				},
			},
			{
				// Removing the link from the configuration revokes it.
				Config: expiring,
				Check: func(*terraform.State) error {
					p, err := b.open(revokedLink)
					if err != nil {
						return err
					}
					return p.expect(410, "This link was revoked", "The sender cancelled this connection request")
				},
			},
			{
				// 48 hours later, before Terraform regenerates it.
				PreConfig:          func() { e.clock.Advance(48 * time.Hour) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true, // the regeneration
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(expiringAddr, "expired", "true"),
					func(*terraform.State) error {
						p, err := b.open(expiringLink)
						if err != nil {
							return err
						}
						return p.expect(410, "This link has expired", "Links are valid for 48 hours")
					},
				),
			},
			{
				// The apply regenerates the link in place; the new one works.
				Config: expiring,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(expiringAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(s *terraform.State) error {
					link, err := e.linkFromState(s, expiringAddr)
					if err != nil {
						return err
					}
					if link == expiringLink {
						return errors.New("the regenerated link is the expired one")
					}
					p, err := b.open(link)
					if err != nil {
						return err
					}
					return p.expect(200, "Connect Demo CRM", "link left to expire")
				},
			},
		},
	})
}
