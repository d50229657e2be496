package provider

// A suite across types: each reading of the API's documents, played by the
// sandbox, under the whole journey of resource, import and list.

// The readings of Albato's disputed documents (issue 13): the sandbox plays
// each one, and the core journey runs under it with real Terraform. The
// journey: create a link; the end user completes it on the connect page
// (over HTTP, as the page's form posts; the browser tests do it in
// Chromium); the next plan shows the grant as a change outside Terraform
// and plans nothing; a link made through the API is imported; the list
// shows both; destroy revokes them.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// The ways of sending the token, as the sandbox names them; schemeOf
// tells them apart from the Authorization header.
const (
	sentBearer   = string(sandbox.AuthBearer)
	sentBasicRaw = string(sandbox.AuthBasicRaw)
	sentBasic    = string(sandbox.AuthBasic)
)

// schemeOf names the way an Authorization header sends token.
func schemeOf(header, token string) string {
	switch header {
	case "Bearer " + token:
		return sentBearer
	case "Basic " + token:
		return sentBasicRaw
	case "Basic " + base64.StdEncoding.EncodeToString([]byte(token+":")):
		return sentBasic
	}
	return "other: " + strings.SplitN(header, " ", 2)[0]
}

// sent is one HTTP attempt of the provider: how it sent the token and the
// status it got (0 without an answer).
type sent struct {
	scheme string
	status int
}

// clientLog records the provider's HTTP attempts per API client. The
// provider builds one client per Configure, that is once per Terraform
// command, and auth_scheme "auto" settles once per client: so the refusals
// come per command, and only for commands that talk to the API.
type clientLog struct {
	mu      sync.Mutex
	clients [][]sent
}

// recordClients gives every API client the provider builds from now on a
// transport that records its attempts into the returned log.
func (e *testEnv) recordClients() *clientLog {
	log := &clientLog{}
	base := e.server.Client().Transport
	e.clientTweak = func(c *albato.Config) {
		log.mu.Lock()
		n := len(log.clients)
		log.clients = append(log.clients, nil)
		log.mu.Unlock()
		c.HTTPClient = &http.Client{
			Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				scheme := schemeOf(r.Header.Get("Authorization"), testToken)
				resp, err := base.RoundTrip(r)
				status := 0
				if err == nil {
					status = resp.StatusCode
				}
				log.mu.Lock()
				log.clients[n] = append(log.clients[n], sent{scheme, status})
				log.mu.Unlock()
				return resp, err
			}),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return log
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// authSummary is what the provider sent, over every client.
type authSummary struct {
	clients  int // clients built (Configure calls)
	talked   int // clients that sent at least one request
	attempts int // HTTP attempts
	refusals int // attempts answered 401 or 403
}

// check verifies that every client that talked to the API first sent the
// refused schemes, in order, each refused once, and then only accepted,
// never refused again.
func (l *clientLog) check(refused []string, accepted string) (authSummary, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	sum := authSummary{clients: len(l.clients)}
	for i, tries := range l.clients {
		if len(tries) == 0 {
			continue
		}
		sum.talked++
		sum.attempts += len(tries)
		for j, try := range tries {
			denied := try.status == http.StatusUnauthorized || try.status == http.StatusForbidden
			if denied {
				sum.refusals++
			}
			switch {
			case j < len(refused) && (try.scheme != refused[j] || !denied):
				return sum, fmt.Errorf("API client %d: attempt %d sent %s and got %d, want %s refused first; attempts: %v",
					i, j+1, try.scheme, try.status, refused[j], tries)
			case j >= len(refused) && (try.scheme != accepted || denied):
				return sum, fmt.Errorf("API client %d: attempt %d sent %s and got %d, want %s accepted after %v; attempts: %v",
					i, j+1, try.scheme, try.status, accepted, refused, tries)
			}
		}
	}
	return sum, nil
}

// statusCount counts the API requests the sandbox answered with status.
func (e *testEnv) statusCount(status int) int {
	n := 0
	for _, r := range e.sandbox.Requests() {
		if r.Status == status {
			n++
		}
	}
	return n
}

// createThroughAPI makes a link as another API user would (not through
// Terraform), under a scheme the sandbox accepts, and returns its id.
func (e *testEnv) createThroughAPI(partnerID int64, title string) (int64, error) {
	body := fmt.Sprintf(`{"partnerId":%d,"title":%q}`, partnerID, title)
	req, err := http.NewRequest(http.MethodPost, e.server.URL+sharingsPath, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", authorizationFor(e.sandbox.Settings().AuthScheme, testToken))
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.server.Client().Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			ID int64 `json:"id"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Data.ID == 0 {
		return 0, fmt.Errorf("creating a link through the API: HTTP %d, %w", resp.StatusCode, err)
	}
	return out.Data.ID, nil
}

// fetchPage GETs or POSTs (form not nil) a connect page as a browser would.
func (e *testEnv) fetchPage(target string, form url.Values) (status int, body string, err error) {
	var resp *http.Response
	if form == nil {
		resp, err = e.server.Client().Get(target)
	} else {
		resp, err = e.server.Client().PostForm(target, form)
	}
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

var (
	formAction  = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`)
)

// completeLink is the end user of an API-key partner (225, Demo CRM): open
// the link, fill in the form and send it as the page does, with its hidden
// fields.
func (e *testEnv) completeLink(link string) error {
	status, page, err := e.fetchPage(link, nil)
	if err != nil {
		return err
	}
	if status != http.StatusOK || !strings.Contains(page, "Connect Demo CRM") {
		return fmt.Errorf("the link opens a page with HTTP %d, want 200 and the Demo CRM form:\n%s", status, page)
	}
	action := formAction.FindStringSubmatch(page)
	if action == nil {
		return fmt.Errorf("the connect page has no form:\n%s", page)
	}
	form := url.Values{"api_key": {"demo-key-0123456789"}, "subdomain": {"acme"}}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	status, page, err = e.fetchPage(e.server.URL+html.UnescapeString(action[1]), form)
	if err != nil {
		return err
	}
	if status != http.StatusOK || !strings.Contains(page, "Connection created") {
		return fmt.Errorf("sending the form: HTTP %d, want 200 and \"Connection created\":\n%s", status, page)
	}
	return nil
}

// checkLinkID checks that link carries the id the sandbox's connect page
// expects for sh, and that the other id gets the "unknown link" page.
func (e *testEnv) checkLinkID(link string, sh sandbox.Sharing) error {
	want, other := sh.PartnerID, sh.ID
	if e.sandbox.Settings().LinkID == sandbox.LinkSharingID {
		want, other = other, want
	}
	u, err := url.Parse(link)
	if err != nil {
		return fmt.Errorf("the link does not parse: %w", err)
	}
	if got := u.Query().Get("id"); got != strconv.FormatInt(want, 10) {
		return fmt.Errorf("the link of sharing %d carries id=%s, want %d (link id %s)", sh.ID, got, want, e.sandbox.Settings().LinkID)
	}
	wrong, err := withLinkID(link, other)
	if err != nil {
		return err
	}
	status, page, err := e.fetchPage(wrong, nil)
	if err != nil {
		return err
	}
	if status != http.StatusNotFound || !strings.Contains(page, "This link is not valid") {
		return fmt.Errorf("the link with the other id (%d) opens HTTP %d, want 404 \"This link is not valid\"", other, status)
	}
	return nil
}

// expectDrift is a plan check: the plan shows addr changed outside
// Terraform from waiting to granted, with its spent token and link gone.
type expectDrift struct{ addr string }

func (c expectDrift) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceDrift {
		if rc.Address != c.addr || rc.Change == nil {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		switch {
		case fmt.Sprint(before["status"]) != "0":
			resp.Error = fmt.Errorf("%s changed outside Terraform from status %v, want 0", c.addr, before["status"])
		case fmt.Sprint(after["status"]) != "1" || after["status_name"] != "granted":
			resp.Error = fmt.Errorf("%s changed outside Terraform to status %v (%v), want 1 (granted)", c.addr, after["status"], after["status_name"])
		case after["credential_id"] == nil:
			resp.Error = fmt.Errorf("%s changed outside Terraform with no credential_id", c.addr)
		case after["token"] != nil || after["link"] != nil:
			resp.Error = fmt.Errorf("%s changed outside Terraform keeps its spent token or link", c.addr)
		}
		return
	}
	resp.Error = fmt.Errorf("the plan shows no change outside Terraform of %s", c.addr)
}

// listedLinks reads the links of an albato_connection_links data source
// from the state, as attribute maps, in order, each with its "link" from
// link_by_id, if any.
func listedLinks(s *terraform.State, addr string) ([]map[string]string, error) {
	a, err := attrs(s, addr)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(a["links.#"])
	if err != nil {
		return nil, fmt.Errorf("%s has no links: %w", addr, err)
	}
	out := make([]map[string]string, n)
	for i := range out {
		out[i] = map[string]string{}
		prefix := fmt.Sprintf("links.%d.", i)
		for k, v := range a {
			if name, ok := strings.CutPrefix(k, prefix); ok {
				out[i][name] = v
			}
		}
		if link, ok := a["link_by_id."+out[i]["id"]]; ok {
			out[i]["link"] = link
		}
	}
	return out, nil
}

// reading is one reading of Albato's documents, as the sandbox plays it,
// and what the provider must send under it.
type reading struct {
	name string
	// settings adjusts the sandbox's settings (pages of 2 unless set).
	settings func(*sandbox.Settings)
	// provider are extra lines of the provider block.
	provider []string
	// refused are the schemes auto tries and the API refuses, in order, per
	// Terraform command; accepted is the one it then keeps.
	refused  []string
	accepted string
}

var readings = []reading{
	{name: "auth/bearer", settings: func(s *sandbox.Settings) { s.AuthScheme = sandbox.AuthBearer },
		accepted: sentBearer},
	{name: "auth/basic-raw", settings: func(s *sandbox.Settings) { s.AuthScheme = sandbox.AuthBasicRaw },
		refused: []string{sentBearer}, accepted: sentBasicRaw},
	{name: "auth/basic", settings: func(s *sandbox.Settings) { s.AuthScheme = sandbox.AuthBasic },
		refused: []string{sentBearer, sentBasicRaw}, accepted: sentBasic},
	{name: "link/partner_id", settings: func(s *sandbox.Settings) { s.LinkID = sandbox.LinkPartnerID },
		provider: []string{`link_id = "partner_id"`}, accepted: sentBearer},
	{name: "link/sharing_id", settings: func(s *sandbox.Settings) { s.LinkID = sandbox.LinkSharingID },
		provider: []string{`link_id = "sharing_id"`}, accepted: sentBearer},
	{name: "paging/by-1-last-page-when-out-of-range", settings: func(s *sandbox.Settings) { s.PageSize, s.MaxPerPage = 1, 1 },
		accepted: sentBearer},
	{name: "paging/by-2-empty-page-when-out-of-range", settings: func(s *sandbox.Settings) {
		s.PageSize, s.MaxPerPage, s.EmptyPageWhenOutOfRange = 2, 2, true
	}, accepted: sentBearer},
	{name: "paging/by-20-up-to-50", settings: func(s *sandbox.Settings) { s.PageSize, s.MaxPerPage = 20, 50 },
		accepted: sentBearer},
	{name: "dates/unix", settings: func(s *sandbox.Settings) { s.DateFormat = sandbox.DateUnix }, accepted: sentBearer},
	{name: "dates/unix-string", settings: func(s *sandbox.Settings) { s.DateFormat = sandbox.DateUnixString }, accepted: sentBearer},
	{name: "dates/rfc3339", settings: func(s *sandbox.Settings) { s.DateFormat = sandbox.DateRFC3339 }, accepted: sentBearer},
	{name: "strict", settings: func(s *sandbox.Settings) { *s = sandbox.StrictSettings() },
		provider: []string{`link_id = "sharing_id"`}, refused: []string{sentBearer, sentBasicRaw}, accepted: sentBasic},
}

const (
	readingGranted  = "albato_connection_link.granted"
	readingImported = "albato_connection_link.imported"
	readingList     = "data.albato_connection_links.all"
)

// readingConfig is the journey's configuration: the link the end user
// completes, optionally the imported one and the list.
func readingConfig(e *testEnv, r reading, imported, list bool) string {
	cfg := e.providerConfig(r.provider...) + `
resource "albato_connection_link" "granted" {
  partner_id = 225
  title      = "completed by the end user"
}
`
	if imported {
		cfg += `
resource "albato_connection_link" "imported" {
  partner_id = 225
  title      = "made through the API"
}
`
	}
	if list {
		cfg += `
data "albato_connection_links" "all" {
  include_secrets = true
  depends_on      = [albato_connection_link.granted, albato_connection_link.imported]
}
`
	}
	return cfg
}

// The core journey under each reading, with the provider at its defaults
// but for link_id, which must match the sandbox's.
func TestAccReadings(t *testing.T) {
	for _, r := range readings {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			testAccReading(t, r)
		})
	}
}

func testAccReading(t *testing.T, r reading) {
	e := newTestEnv(t)
	set := e.sandbox.Settings()
	r.settings(&set)
	if err := e.sandbox.SetSettings(set); err != nil {
		t.Fatal(err)
	}
	set = e.sandbox.Settings()
	clients := e.recordClients()

	// Another link in the account, so that the list pages.
	other, err := e.createThroughAPI(226, "someone else's link")
	if err != nil {
		t.Fatal(err)
	}
	byTest := 1 // API requests the test itself sends
	var link string
	var granted, imported int64
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: readingConfig(e, r, false, false),
				Check: func(s *terraform.State) error {
					var err error
					if link, err = e.linkFromState(s, readingGranted); err != nil {
						return err
					}
					if granted, err = stateID(s, readingGranted); err != nil {
						return err
					}
					sh, _ := e.sandbox.Sharing(granted)
					if err := e.checkLinkID(link, sh); err != nil {
						return err
					}
					return resource.TestCheckResourceAttr(readingGranted, "date_created", rfc3339(sh.DateCreated))(s)
				},
			},
			{
				// The end user completes the link before the next run, which
				// sees it as a change outside Terraform and plans nothing.
				PreConfig: func() {
					if err := e.completeLink(link); err != nil {
						t.Fatal(err)
					}
				},
				Config: readingConfig(e, r, false, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectDrift{readingGranted}, plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.expectGranted(readingGranted),
					resource.TestCheckNoResourceAttr(readingGranted, "token"),
					resource.TestCheckNoResourceAttr(readingGranted, "link"),
				),
			},
			{
				// A link made through the API, imported.
				PreConfig: func() {
					var err error
					if imported, err = e.createThroughAPI(225, "made through the API"); err != nil {
						t.Fatal(err)
					}
					byTest++
				},
				Config:             readingConfig(e, r, true, false),
				ResourceName:       readingImported,
				ImportState:        true,
				ImportStatePersist: true,
				ImportStateIdFunc:  func(*terraform.State) (string, error) { return strconv.FormatInt(imported, 10), nil },
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					// With ImportStatePersist, the states are the whole state.
					i := slices.IndexFunc(states, func(is *terraform.InstanceState) bool { return is.ID == strconv.FormatInt(imported, 10) })
					if i < 0 {
						return fmt.Errorf("import brought no instance with id %d", imported)
					}
					a := states[i].Attributes
					sh, _ := e.sandbox.Sharing(imported)
					for k, want := range map[string]string{
						"id": strconv.FormatInt(imported, 10), "partner_id": "225", "title": "made through the API",
						"status": "0", "status_name": "waiting", "date_created": rfc3339(sh.DateCreated),
					} {
						if a[k] != want {
							return fmt.Errorf("imported %s = %q, want %q", k, a[k], want)
						}
					}
					return e.checkLinkID(a["link"], sh)
				},
			},
			{
				Config: readingConfig(e, r, true, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					links, err := listedLinks(s, readingList)
					if err != nil {
						return err
					}
					want := map[int64]string{other: "waiting", granted: "granted", imported: "waiting"}
					var ids []int64
					for i, l := range links {
						id, _ := strconv.ParseInt(l["id"], 10, 64)
						ids = append(ids, id)
						sh, ok := e.sandbox.Sharing(id)
						if !ok || want[id] == "" {
							return fmt.Errorf("the list holds link %d, which is not in the account", id)
						}
						if l["status_name"] != want[id] {
							return fmt.Errorf("links[%d] (%d) is %s, want %s", i, id, l["status_name"], want[id])
						}
						if l["date_created"] != rfc3339(sh.DateCreated) {
							return fmt.Errorf("links[%d].date_created = %q, want %q", i, l["date_created"], rfc3339(sh.DateCreated))
						}
						if want[id] == "granted" {
							if l["credential_id"] != fmt.Sprint(*sh.CredentialID) || l["link"] != "" {
								return fmt.Errorf("links[%d] (granted): credential_id %q, want %d, and no link", i, l["credential_id"], *sh.CredentialID)
							}
						} else if err := e.checkLinkID(l["link"], sh); err != nil {
							return fmt.Errorf("links[%d]: %w", i, err)
						}
					}
					wantIDs := []int64{other, granted, imported}
					slices.Sort(wantIDs)
					if !slices.Equal(ids, wantIDs) {
						return fmt.Errorf("the list holds %v, want %v (each once, ascending)", ids, wantIDs)
					}
					return e.checkPaging(set, len(wantIDs))
				},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			for _, id := range []int64{granted, imported} {
				if id == 0 {
					return errors.New("the journey stopped before both links were made")
				}
				if sh, _ := e.sandbox.Sharing(id); sh.Status != sandbox.StatusRevoked {
					return fmt.Errorf("after destroy sharing %d has status %d, want revoked", id, sh.Status)
				}
			}
			if sh, _ := e.sandbox.Sharing(other); sh.Status != 0 {
				return fmt.Errorf("destroy touched the link it does not manage (status %d)", sh.Status)
			}
			deleted := 0 // refused DELETEs, as auto tries schemes, did nothing
			for _, r := range e.sandbox.Requests() {
				if r.Method == http.MethodDelete && r.Status == http.StatusOK {
					deleted++
				}
			}
			if deleted != 2 {
				return fmt.Errorf("destroy made %d DELETEs, want 2; requests: %v", deleted, e.requests())
			}
			return e.checkAuth(t, r, clients, byTest)
		},
	})
}

// checkPaging checks the provider's list requests under set, for an
// account of total links: per-page=50 always, every page from 1 to the
// last asked, none past it.
func (e *testEnv) checkPaging(set sandbox.Settings, total int) error {
	size := set.PageSize
	if set.MaxPerPage >= 50 {
		size = 50
	}
	last := (total + size - 1) / size
	asked := map[int]bool{}
	for _, r := range e.sandbox.Requests() {
		if r.Method != http.MethodGet || r.Path != sharingsPath {
			continue
		}
		q, err := url.ParseQuery(r.Query)
		if err != nil {
			return err
		}
		page, err := strconv.Atoi(q.Get("page"))
		if err != nil || page < 1 || page > last || q.Get("per-page") != "50" {
			return fmt.Errorf("the provider listed with %q, want page=1..%d and per-page=50", r.Query, last)
		}
		asked[page] = true
	}
	if len(asked) != last {
		return fmt.Errorf("the provider asked for pages %v, want 1..%d", asked, last)
	}
	return nil
}

// journeyCommands is how many Terraform commands of the journey talk to
// the API, each with a new client: step 1's apply and refreshing plan, step
// 2's plan and refreshing plan, the import, step 4's plan, apply (the list
// depends on the links) and refreshing plan, and the destroy. The same on
// Terraform 1.5 and 1.16 and OpenTofu 1.12.
const journeyCommands = 9

// checkAuth checks how the provider sent the token over the whole test,
// and that the sandbox saw the same refusals.
func (e *testEnv) checkAuth(t *testing.T, r reading, clients *clientLog, byTest int) error {
	sum, err := clients.check(r.refused, r.accepted)
	if err != nil {
		return err
	}
	switch got401, all := e.statusCount(http.StatusUnauthorized), len(e.sandbox.Requests()); {
	case sum.talked != journeyCommands:
		return fmt.Errorf("%d Terraform commands talked to the API, want %d", sum.talked, journeyCommands)
	case sum.refusals != len(r.refused)*sum.talked:
		return fmt.Errorf("the provider was refused %d times in %d commands, want %d each", sum.refusals, sum.talked, len(r.refused))
	case got401 != sum.refusals || all != sum.attempts+byTest:
		return fmt.Errorf("the sandbox saw %d requests and %d 401s, the provider sent %d (+%d by the test) and got %d refusals",
			all, got401, sum.attempts, byTest, sum.refusals)
	}
	t.Logf("reading %s: %d API requests in %d commands that talked to the API (of %d configured): %d refused (%d each), then %s; by method %v",
		r.name, sum.attempts, sum.talked, sum.clients, sum.refusals, len(r.refused), r.accepted, methodCounts(e))
	return nil
}

// methodCounts counts the API requests per method.
func methodCounts(e *testEnv) map[string]int {
	out := map[string]int{}
	for _, r := range e.sandbox.Requests() {
		out[r.Method]++
	}
	return out
}

// An API that ignores page answers page 1 for every page: the list fails
// with a clear error rather than loop or list links twice, and refreshes of
// many links, which may read the list, fall back to a GET each.
func TestAccReadings_pageIgnored(t *testing.T) {
	e := newTestEnv(t, func(o *sandbox.Options) { o.PageSize, o.MaxPerPage, o.IgnorePage = 2, 2, true })
	links := requestsConfig(e, requestsN) // 5 links: 3 pages of 2
	list := `
data "albato_connection_links" "all" {
  depends_on = [albato_connection_link.n]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: links},
			{
				PreConfig:    e.sandbox.ResetRequests,
				RefreshState: true,
				Check: func(s *terraform.State) error {
					// 5 refreshes at 3 pages: the reader lists the account
					// by the fifth at the latest (link_reader.go).
					if !slices.ContainsFunc(e.sandbox.Requests(), func(r sandbox.Request) bool {
						return r.Path == sharingsPath && strings.Contains(r.Query, "page=2")
					}) {
						return fmt.Errorf("the refresh never tried to list the account; requests: %v", e.requests())
					}
					if n := len(linkIDs(s)); n != requestsN {
						return fmt.Errorf("the refresh left %d links in state, want %d", n, requestsN)
					}
					return nil
				},
			},
			{
				PreConfig:   e.sandbox.ResetRequests,
				Config:      links + list,
				ExpectError: regexp.MustCompile(`page\s+\d\s+repeats\s+page\s+1[\s\S]*ignore\s+the\s+page\s+parameter`),
			},
			{
				// What the failed plan sent: its refresh and one listing,
				// each list request within the 3 pages, nothing more.
				PreConfig: func() {
					lists := 0
					for _, r := range e.sandbox.Requests() {
						if r.Method == http.MethodGet && r.Path == sharingsPath {
							lists++
						}
					}
					// At most: page 1 read by the refresh, a listing for
					// the refresh and one for the data source.
					if lists > 1+2*3 {
						t.Errorf("the failed plan sent %d list requests, want at most 7; requests: %v", lists, e.requests())
					}
					t.Logf("the failed plan sent %v, %d of them to the list", methodCounts(e), lists)
				},
				Config: links,
			},
		},
	})
}
