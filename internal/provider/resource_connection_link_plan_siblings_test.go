package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// note warns on every link planned after another of the same partner and
// title in the run, whatever the order of the concurrent plans, and never
// on distinct links, on one link planned twice, on a link that is replaced
// (its create counts), or on a title not known yet. Run with -race.
func TestTitlePlansNote(t *testing.T) {
	t.Parallel()
	existing := grantedModel() // link 61, partner 225, title "CRM"
	type plan struct {
		prior    *connectionLinkResourceModel // nil: a create
		partner  int64
		title    types.String
		replaced bool
	}
	same := types.StringValue(existing.Title.ValueString())
	renamed := types.StringValue("CRM, renamed")
	for _, c := range []struct {
		name  string
		plans []plan
		warns int
	}{
		{"three creates alike", []plan{{nil, 225, same, false}, {nil, 225, same, false}, {nil, 225, same, false}}, 2},
		{"a create beside the existing link", []plan{{&existing, 225, same, false}, {nil, 225, same, false}}, 1},
		{"other partners and titles", []plan{{nil, 225, same, false}, {nil, 226, same, false}, {nil, 225, renamed, false}}, 0},
		{"one link planned twice", []plan{{&existing, 225, same, false}, {&existing, 225, same, false}}, 0},
		{"a rename: its create counts once", []plan{{&existing, 225, renamed, false}, {nil, 225, renamed, false}}, 0},
		{"a replacement: its create counts once", []plan{{&existing, 225, same, true}, {nil, 225, same, false}}, 0},
		{"titles not known yet", []plan{{nil, 225, types.StringUnknown(), false}, {nil, 225, types.StringUnknown(), false}}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var p titlePlans
			var wg sync.WaitGroup
			warnings := make([]string, len(c.plans))
			for i, pl := range c.plans {
				planned := existing
				planned.PartnerID, planned.Title = types.Int64Value(pl.partner), pl.title
				req, resp := planRequest(t, existing, planned)
				if pl.prior == nil {
					req.State.Raw = tftypes.NewValue(req.State.Raw.Type(), nil)
				}
				if pl.replaced {
					resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
				}
				wg.Go(func() {
					p.note(context.Background(), req, resp)
					for _, d := range resp.Diagnostics {
						warnings[i] += d.Summary() + ": " + d.Detail()
					}
				})
			}
			wg.Wait()
			n := 0
			for _, w := range warnings {
				if w == "" {
					continue
				}
				n++
				if !strings.Contains(w, "Connection Links Share a Partner and Title") || !strings.Contains(w, `partner_id 225 and title "CRM"`) {
					t.Errorf("warning %q does not name the partner and title", w)
				}
			}
			if n != c.warns {
				t.Errorf("%d warnings, want %d: %q", n, c.warns, warnings)
			}
		})
	}
}

// The warning names the links seen before: by id, and the creates counted.
func TestPlannedLinks(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		ids  []string
		want string
	}{
		{[]string{"61"}, "link 61"},
		{[]string{""}, "1 link to be created"},
		{[]string{"61", "", "62", ""}, "link 61, link 62, 2 links to be created"},
	} {
		if got := plannedLinks(c.ids); got != c.want {
			t.Errorf("%q: %q, want %q", c.ids, got, c.want)
		}
	}
}

// planWarnings serves the provider and keeps the warnings of every plan in
// log.
type planWarnings struct {
	tfprotov6.ProviderServer
	log *warningLog
}

type warningLog struct {
	mu       sync.Mutex
	warnings []string
}

func (s *planWarnings) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.log.mu.Lock()
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityWarning {
				s.log.warnings = append(s.log.warnings, d.Summary+": "+d.Detail)
			}
		}
		s.log.mu.Unlock()
	}
	return resp, err
}

// take returns how many warnings of links sharing partner 225 and title
// "Same title" were logged, and empties the log.
func (l *warningLog) take() (int, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, all := 0, l.warnings
	for _, w := range all {
		if strings.Contains(w, "Share a Partner and Title") && strings.Contains(w, `partner_id 225 and title "Same title"`) {
			n++
		}
	}
	l.warnings = nil
	return n, all
}

// The configuration of the issue, count = 2 of one partner and title, warns
// at plan, naming the partner and title; titles of their own do not.
func TestAccConnectionLink_sameTitleWarns(t *testing.T) {
	e := newTestEnv(t)
	inner := e.factories()["albato"]
	log := &warningLog{}
	cfg := func(title string) string {
		return e.providerConfig() + fmt.Sprintf(`
resource "albato_connection_link" "c" {
  count      = 2
  partner_id = 225
  title      = %s
}
`, title)
	}
	warned := func(want bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if n, all := log.take(); (n > 0) != want {
				return fmt.Errorf("%d warnings of links sharing a partner and title, want some: %v; all: %q", n, want, all)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"albato": func() (tfprotov6.ProviderServer, error) {
				s, err := inner()
				return &planWarnings{ProviderServer: s, log: log}, err
			},
		},
		Steps: []resource.TestStep{
			{Config: cfg(`"Same title"`), Check: warned(true)},
			{PreConfig: func() { log.take() }, Config: cfg(`"Client ${count.index}"`), Check: warned(false)},
		},
	})
}

// Through the provider's protocol server, as Terraform plans: the second
// create planned with a partner and title of the run warns, naming them;
// one of a title of its own does not. (The acceptance test above needs a
// CLI; this one runs wherever the unit tests do.)
func TestPlanWarnsOnASharedTitle(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	l := newProtoLink(ctx, t, newTestEnv(t))
	warnings := func(title string) (out []string) {
		config := l.config(map[string]tftypes.Value{
			"partner_id": tftypes.NewValue(tftypes.Number, 225), "title": tftypes.NewValue(tftypes.String, title)})
		for _, d := range l.planResponse(config).Diagnostics {
			out = append(out, d.Summary+": "+d.Detail)
		}
		return out
	}
	for i, c := range []struct {
		title string
		warns bool
	}{{"CRM", false}, {"CRM", true}, {"CRM for Globex", false}} {
		got := warnings(c.title)
		if warned := len(got) == 1 && strings.Contains(got[0], `partner_id 225 and title "CRM"`); warned != c.warns || (!c.warns && len(got) > 0) {
			t.Errorf("plan %d, title %q: diagnostics %q, want a warning naming the partner and title %t", i+1, c.title, got, c.warns)
		}
	}
}
