package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// apiErrorDetail words a client error so that a user can act on it; an
// unreachable API names where its URL came from.
func (pd *providerData) apiErrorDetail(action string, err error) string {
	var apiErr *albato.Error
	host, unknownHost := albato.UnknownHost(err)
	switch {
	case albato.IsUnauthorized(err):
		return fmt.Sprintf("The Albato API refused the API token while trying to %s (%s). Check the provider's "+
			"\"token\" argument or the %s environment variable, and that the token may manage connection links.",
			action, err, envToken)
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("The run was interrupted (the request to %s was cancelled) before the Albato API answered. "+
			"Run the command again; a plan will show what the API did.", action)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("The request to %s ran out of time before the Albato API answered. "+
			"Run the command again; a plan will show what the API did.", action)
	case unknownHost:
		return fmt.Sprintf("Could not %s: the host %q is unknown (the name lookup found no such host), "+
			"so nothing was sent and nothing was retried. The API URL comes from %s: check its spelling, and that "+
			"this machine can resolve names (network, VPN, DNS).", action, host, pd.apiURLOrigin)
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound && !linkGone(nil, err):
		return fmt.Sprintf("Could not %s: %s. That 404 is not the sharing API's own answer, so nothing is taken "+
			"as deleted and nothing was changed. The API URL comes from %s: check that it is the API's base URL, "+
			"without a path prefix the API does not have.", action, err, pd.apiURLOrigin)
	case errors.As(err, &apiErr):
		return fmt.Sprintf("The Albato API could not %s: %s.", action, err)
	default:
		return fmt.Sprintf("Could not reach the Albato API to %s: %s. Check the API URL, %s, and the network; "+
			"retries are set by \"max_retries\".", action, err, pd.apiURLOrigin)
	}
}

// createErrorDiagnostic words a failed create; one that may have taken
// effect says what to check, so that no link is left unmanaged or made twice.
func (pd *providerData) createErrorDiagnostic(partnerID int64, title string, err error) (summary, detail string) {
	var ambiguous *albato.AmbiguousCreateError
	switch {
	case !errors.As(err, &ambiguous):
		return "Unable to Create Connection Link", pd.apiErrorDetail("create the connection link", err)
	case ambiguous.LookErr != nil:
		return "Connection Link May Have Been Created",
			fmt.Sprintf("The request to create the link %q for partner %d got no usable answer (%s), and listing the "+
				"account's links to check failed too (%s). The link may exist in Albato: find it with the "+
				"albato_connection_links data source and import it with \"terraform import\", or revoke it, before "+
				"applying again.", title, partnerID, ambiguous.Cause, ambiguous.LookErr)
	default:
		return "Connection Link May Have Been Created More Than Once",
			fmt.Sprintf("The request to create the link %q for partner %d got no usable answer (%s). Since it began, %d "+
				"links with that partner and title were created: ids %s. Terraform cannot tell which one is this "+
				"resource. Import the right one with \"terraform import <resource address> <id>\" (or an import "+
				"block), and revoke the others if they are not yours.",
				title, partnerID, ambiguous.Cause, len(ambiguous.Candidates), ambiguous.CandidateIDs())
	}
}

func adoptedWarning(partnerID int64, title string, id int64, cause error) (summary, detail string) {
	return "Adopted a Connection Link Created Without a Usable Answer",
		fmt.Sprintf("The request to create the link %q for partner %d got no usable answer (%s), but Albato had "+
			"created it: link %d is now managed by Terraform. Nothing was created twice.",
			title, partnerID, cause, id)
}

func (pd *providerData) readError(id int64, err error) (summary, detail string) {
	return "Unable to Read Connection Link", pd.apiErrorDetail(fmt.Sprintf("read connection link %d", id), err)
}

func (pd *providerData) listError(err error) (summary, detail string) {
	return "Unable to List Connection Links", pd.apiErrorDetail("list connection links", err)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
