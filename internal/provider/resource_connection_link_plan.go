package provider

// The plan of albato_connection_link (DESIGN.md, "What a plan shows"), and
// its record of partners and titles (DESIGN.md, "Links that share a partner
// and title").

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// maybe is whether the apply does something, which an argument unknown at plan may decide.
type maybe int

const (
	never maybe = iota
	perhaps
	surely
)

// planFacts are what a plan of an existing link reads, once: the link as
// the state has it, the planned settings (each possibly unknown) and the
// moment of the last reading. Update reads the same from the final plan,
// where nothing is unknown, so the apply decides as the plan did.
type planFacts struct {
	id, credentialID, expiresAt string
	status                      albato.Status
	readAt                      time.Time
	whenExpired                 types.Bool
	before                      types.String
	triggers                    maybe // a regeneration for a change of regenerate_triggers
	storeToken                  types.Bool
	storedToken                 bool // the state's store_token
}

func readPlanFacts(state, plan connectionLinkResourceModel, readAt time.Time) planFacts {
	return planFacts{
		id: state.ID.ValueString(), credentialID: state.CredentialID.String(), expiresAt: state.ExpiresAt.ValueString(),
		status: albato.Status(state.Status.ValueInt64()), readAt: readAt,
		whenExpired: plan.RegenerateWhenExpired, before: plan.RegenerateBefore,
		triggers:   triggersChange(state.RegenerateTriggers, plan.RegenerateTriggers),
		storeToken: plan.StoreToken, storedToken: state.storesToken(),
	}
}

// triggersChange is whether regenerate_triggers' values change; setting or
// removing the whole map only records it. An unknown map or value may.
func triggersChange(prior, planned types.Map) maybe {
	if prior.IsNull() || prior.IsUnknown() || planned.IsNull() {
		return never
	}
	if planned.IsUnknown() {
		return perhaps // it may also turn out null or unchanged
	}
	was, now := prior.Elements(), planned.Elements()
	if len(was) != len(now) {
		return surely
	}
	change := never
	for k, v := range now {
		switch w, ok := was[k]; {
		case !ok || (!v.IsUnknown() && !v.Equal(w)):
			return surely
		case v.IsUnknown():
			change = perhaps
		}
	}
	return change
}

// expiry is whether the apply regenerates the link for its expiry, as of
// the last reading: an unknown setting may.
func (f planFacts) expiry() maybe {
	if f.whenExpired.IsUnknown() || f.before.IsUnknown() {
		at := func(before string) bool { return dueForRegeneration(f.status, f.expiresAt, true, before, f.readAt) }
		switch {
		case !f.whenExpired.IsUnknown() && !f.whenExpired.ValueBool():
			return never
		case f.before.IsUnknown() && !at(time.Duration(math.MaxInt64).String()):
			return never // not even the widest window makes it due
		case !f.before.IsUnknown() && !at(f.before.ValueString()):
			return never
		case f.whenExpired.IsUnknown() || !at(defaultRegenerateBefore):
			return perhaps
		}
		return surely // expired: due whatever the window
	}
	if dueForRegeneration(f.status, f.expiresAt, f.whenExpired.ValueBool(), f.before.ValueString(), f.readAt) {
		return surely
	}
	return never
}

// regeneration is whether the apply regenerates the token.
func (f planFacts) regeneration() maybe { return max(f.triggers, f.expiry()) }

// takesTokenBack is whether the apply reads the token back into the state
// (store_token turned on): only while the token is usable.
func (f planFacts) takesTokenBack() bool {
	return !f.storedToken && !f.storeToken.IsUnknown() && f.storeToken.ValueBool() && tokenShown(f.link())
}

// tokenUnknown is whether a plan that does not regenerate leaves token and
// link unknown: the apply reads them back, or may keep or drop them.
func (f planFacts) tokenUnknown() bool {
	return f.takesTokenBack() || (f.storeToken.IsUnknown() && tokenShown(f.link()))
}

// warning says what the apply may do that the in-place update alone does
// not say: reset a completed link, or end the link handed out. Where an
// unknown argument decides, it says so, and it quotes no unknown setting.
func (f planFacts) warning() (summary, detail string) {
	switch {
	case f.status == albato.StatusGranted && f.triggers != never:
		cause := "The change of \"regenerate_triggers\" regenerates its token"
		if f.triggers == perhaps {
			cause = "\"regenerate_triggers\" has values not known until the apply; if they change, the apply regenerates its token"
		}
		return "Regenerating a Completed Connection Link",
			fmt.Sprintf("Connection link %s was completed by its end user (credential_id %s). %s, which resets it to "+
				"waiting and clears credential_id: the end user must complete the new link again. The existing "+
				"connection stays in the account.", f.id, f.credentialID, cause)
	case f.triggers == surely || f.expiry() == never:
		return "", ""
	case f.expiry() == perhaps:
		return "Connection Link May Be Regenerated",
			fmt.Sprintf("Connection link %s expires at %s. %s not known until the apply, so the plan cannot tell "+
				"whether the apply regenerates its token in place; if it does, the old link stops working: hand out "+
				"the new one.", f.id, f.expiresAt, f.unknownSettings())
	case dueForRegeneration(f.status, f.expiresAt, true, defaultRegenerateBefore, f.readAt):
		return "Regenerating an Expired Connection Link",
			fmt.Sprintf("Connection link %s expired at %s without being used, so its token is regenerated in place "+
				"(regenerate_when_expired). The old link stops working: hand out the new one.", f.id, f.expiresAt)
	}
	return "Regenerating a Connection Link Before It Expires",
		fmt.Sprintf("Connection link %s expires at %s, within regenerate_before (%s), so its token is regenerated "+
			"in place. The old link stops working: hand out the new one.", f.id, f.expiresAt, f.before.ValueString())
}

// unknownSettings names the expiry settings not known at plan.
func (f planFacts) unknownSettings() string {
	switch {
	case !f.before.IsUnknown():
		return "regenerate_when_expired is"
	case !f.whenExpired.IsUnknown():
		return "regenerate_before is"
	}
	return "regenerate_when_expired and regenerate_before are"
}

// ModifyPlan judges expiry as of the link's last reading, never the clock of
// the moment: Terraform plans again at apply and must find the same.
func (r *connectionLinkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	mem, diags := loadMemory(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if !r.data.checkAccountAtPlan(ctx, req, mem.account, &resp.Diagnostics) || req.Plan.Raw.IsNull() {
		return // another account's link, or a destroy
	}
	r.planChange(ctx, req, resp, mem.readAt)
	if r.data != nil { // nil before the provider is configured
		r.data.titles.note(ctx, req, resp)
	}
}

// planChange is ModifyPlan as of readAt, which tests set without private state.
func (r *connectionLinkResource) planChange(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, readAt time.Time) {
	if unchangedAndNotDue(req, readAt) {
		return // the common case, decided without decoding the whole state
	}
	var plan connectionLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !req.State.Raw.IsNull() {
		var state connectionLinkResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		modifyUpdatePlan(ctx, state, plan, readPlanFacts(state, plan, readAt), resp)
	}
	if !plan.storesToken() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("token"), types.StringNull())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("link"), types.StringNull())...)
	}
}

// unchangedAndNotDue reports a plan equal to its prior state, neither
// revoked nor due. It reads four raw attributes: decoding every link's state
// and plan is most of what a plan of many links costs (BENCHMARKS.md).
func unchangedAndNotDue(req resource.ModifyPlanRequest, readAt time.Time) bool {
	if req.State.Raw.IsNull() || !req.Plan.Raw.Equal(req.State.Raw) {
		return false
	}
	var attrs map[string]tftypes.Value
	if err := req.State.Raw.As(&attrs); err != nil {
		return false
	}
	var status *big.Float
	var expiresAt, before string // null reads as ""
	var whenExpired bool
	if attrs["status"].As(&status) != nil || status == nil || attrs["expires_at"].As(&expiresAt) != nil ||
		attrs["regenerate_before"].As(&before) != nil || attrs["regenerate_when_expired"].As(&whenExpired) != nil {
		return false
	}
	n, _ := status.Int64()
	f := planFacts{status: albato.Status(n), expiresAt: expiresAt, readAt: readAt,
		whenExpired: types.BoolValue(whenExpired), before: types.StringValue(before)}
	return !f.gone() && f.regeneration() == never
}

func modifyUpdatePlan(ctx context.Context, state, plan connectionLinkResourceModel, f planFacts, resp *resource.ModifyPlanResponse) {
	unknownComputed := func() { // what a regeneration may change
		for _, a := range linkAttrs {
			if a.name != "id" && a.name != "partner_id" && a.name != "title" {
				resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(a.name), a.kind.unknown())...)
			}
		}
	}
	switch {
	case f.gone():
		// Left by a failed regeneration. Terraform replaces only for a path whose value changes.
		unknownComputed()
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))

	case !plan.PartnerID.Equal(state.PartnerID) || !plan.Title.Equal(state.Title):
		// An unknown value replaces too: Terraform cannot tell it unchanged.
		if f.status == albato.StatusGranted {
			resp.Diagnostics.AddWarning("Replacing a Completed Connection Link",
				fmt.Sprintf("Connection link %s was completed by its end user (credential_id %s). A change of "+
					"\"title\" or \"partner_id\" (or a value not known until the apply) replaces it with a new link, "+
					"which the end user must complete again; the new link's credential_id is null until then. The "+
					"existing connection stays in the account.", f.id, f.credentialID))
		}

	case f.regeneration() != never:
		tflog.Debug(ctx, "Planning a possible in-place regeneration of the connection link", map[string]any{
			"id": f.id, "triggers": int(f.triggers), "expiry": int(f.expiry()), "read_at": formatTime(f.readAt)})
		if summary, detail := f.warning(); summary != "" {
			resp.Diagnostics.AddWarning(summary, detail)
		}
		unknownComputed()

	case f.tokenUnknown():
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("token"), types.StringUnknown())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("link"), types.StringUnknown())...)
	}
}

// link is the link as the state has it, for the rules that judge a link.
func (f planFacts) link() *albato.Sharing { return &albato.Sharing{Status: f.status} }

func (f planFacts) gone() bool { return linkGone(f.link(), nil) }

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
