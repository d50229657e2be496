package provider

// Links of one partner and title in one plan (DESIGN.md, "Links that share
// a partner and title").

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// titlePlans records the partners and titles of the links that one
// provider configuration has planned in this run. Terraform plans each resource instance with
// a call of its own, concurrently, all served by the process of that
// provider configuration, which is configured afresh for every run.
type titlePlans struct {
	mu   sync.Mutex
	seen map[partnerTitle]*titleUsers
}

type partnerTitle struct {
	partner int64
	title   string
}

type titleUsers struct {
	ids   []string // existing links
	fresh int      // links to be created
}

// note records one link's plan and warns when a link of the same partner
// and title was planned before it in this run. A link that is replaced is
// planned again as a create (with no prior state): that plan counts.
func (p *titlePlans) note(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if p == nil || req.Plan.Raw.IsNull() {
		return
	}
	var partner, priorPartner types.Int64
	var title, priorTitle, id types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("partner_id"), &partner)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("title"), &title)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("partner_id"), &priorPartner)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("title"), &priorTitle)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
		if len(resp.RequiresReplace) > 0 || !priorPartner.Equal(partner) || !priorTitle.Equal(title) {
			return // replaced
		}
	}
	if partner.IsUnknown() || partner.IsNull() || title.IsUnknown() || title.IsNull() || resp.Diagnostics.HasError() {
		return // nothing to compare yet
	}
	key := partnerTitle{partner.ValueInt64(), title.ValueString()}
	p.mu.Lock()
	if p.seen == nil {
		p.seen = map[partnerTitle]*titleUsers{}
	}
	users := p.seen[key]
	if users == nil {
		users = &titleUsers{}
		p.seen[key] = users
	}
	before := titleUsers{ids: slices.Clone(users.ids), fresh: users.fresh}
	switch {
	case id.ValueString() == "":
		users.fresh++
	case slices.Contains(users.ids, id.ValueString()):
		before = titleUsers{} // the same link planned again
	default:
		users.ids = append(users.ids, id.ValueString())
	}
	p.mu.Unlock()
	if len(before.ids) > 0 || before.fresh > 0 {
		resp.Diagnostics.AddWarning("Connection Links Share a Partner and Title", fmt.Sprintf("This plan has more "+
			"than one albato_connection_link of partner_id %d and title %q: %s, and this one. A create that gets no "+
			"usable answer from the API (a timeout, a dropped connection, an error after the API acted) finds its "+
			"link by partner and title, and cannot tell such links apart. Give each link its own title, for example "+
			"with count.index or each.key in it. (The provider sees each link's partner and title, not its address.)",
			key.partner, key.title, before.String()))
	}
}

// String names the links: by id, and how many are to be created.
func (u titleUsers) String() string {
	var names []string
	for _, id := range u.ids {
		names = append(names, "link "+id)
	}
	if u.fresh > 0 {
		names = append(names, fmt.Sprintf("%d %s to be created", u.fresh, plural(u.fresh, "link", "links")))
	}
	return strings.Join(names, ", ")
}

// planned is this run's record of plans; nil (which notes nothing) before
// the provider is configured.
func (pd *providerData) planned() *titlePlans {
	if pd == nil {
		return nil
	}
	return pd.titles
}
