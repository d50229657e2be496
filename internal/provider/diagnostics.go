package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// apiErrorDetail words a client error as a diagnostic detail a user can act
// on: what failed, the HTTP status, the API's own description, what to do.
func apiErrorDetail(action string, err error) string {
	var apiErr *albato.Error
	switch {
	case albato.IsUnauthorized(err):
		return fmt.Sprintf("The Albato API refused the API token while trying to %s (%s). Check the provider's "+
			"\"token\" argument or the %s environment variable, and that the token may manage connection links.",
			action, err, envToken)
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("Terraform cancelled the request to %s before the Albato API answered. "+
			"Run the command again; a plan will show what the API did.", action)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("The request to %s ran out of time before the Albato API answered. "+
			"Run the command again; a plan will show what the API did.", action)
	case errors.As(err, &apiErr):
		return fmt.Sprintf("The Albato API could not %s: %s.", action, err)
	default:
		return fmt.Sprintf("Could not reach the Albato API to %s: %s. Check \"api_url\" (or %s) and the network; "+
			"retries are set by \"max_retries\".", action, err, envAPIURL)
	}
}
