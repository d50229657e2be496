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

// titlePlans records the partners and titles of the links that one provider
// configuration has planned in this run. Terraform plans each resource
// instance with a call of its own, concurrently, all served by the process
// of that provider configuration, which is configured afresh for every run.
type titlePlans struct {
	mu   sync.Mutex
	seen map[partnerTitle][]string // the links planned: an id, or "" for each link to be created
}

type partnerTitle struct {
	partner int64
	title   string
}

// note records one link's plan and warns when a link of the same partner
// and title was planned before it in this run. A link that is replaced is
// planned again as a create (with no prior state): that plan counts.
func (p *titlePlans) note(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if p == nil {
		return // a provider configured by a test, without a record
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
		p.seen = map[partnerTitle][]string{}
	}
	before := p.seen[key]
	if id.ValueString() != "" && slices.Contains(before, id.ValueString()) {
		before = nil // the same link planned again
	} else {
		p.seen[key] = append(slices.Clip(before), id.ValueString())
	}
	p.mu.Unlock()
	if len(before) > 0 {
		resp.Diagnostics.AddWarning("Connection Links Share a Partner and Title", fmt.Sprintf("This plan has more "+
			"than one albato_connection_link of partner_id %d and title %q: %s, and this one. A create that gets no "+
			"usable answer from the API (a timeout, a dropped connection, an error after the API acted) finds its "+
			"link by partner and title, and cannot tell such links apart. Give each link its own title, for example "+
			"with count.index or each.key in it. (The provider sees each link's partner and title, not its address.)",
			key.partner, key.title, plannedLinks(before)))
	}
}

// plannedLinks names the links planned: by id, and how many are to be created.
func plannedLinks(ids []string) string {
	var names []string
	for _, id := range ids {
		if id != "" {
			names = append(names, "link "+id)
		}
	}
	if fresh := len(ids) - len(names); fresh > 0 {
		names = append(names, fmt.Sprintf("%d %s to be created", fresh, plural(fresh, "link", "links")))
	}
	return strings.Join(names, ", ")
}
