terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

# Keep the API token out of the configuration: export it instead,
#   export ALBATO_TOKEN="..."
# Every argument can come from its ALBATO_* environment variable instead; a
# value set here wins over the environment. The values shown are the defaults:
# leave out those you do not change, so that the environment can set them.
provider "albato" {
  # API token (sensitive). Leave it unset to use ALBATO_TOKEN. If it must be
  # set here, take it from a sensitive variable, never from a literal.
  # token = var.albato_token

  # Base URL of the Albato API (ALBATO_API_URL).
  api_url = "https://api.albato.com"

  # Base of the links handed to end users (ALBATO_CONNECT_URL); set it to your
  # white-label domain if you have one. No query or fragment: the provider
  # adds the link's own id and token.
  connect_url = "https://connect.integrations-hub.com"

  # How the token is sent (ALBATO_AUTH_SCHEME): "auto" tries Bearer, then
  # Basic <token>, then standard Basic, and keeps the first the API accepts.
  # Set "Bearer" or "Basic" once you know which your account takes.
  auth_scheme = "auto"

  # Retries after the first try on rate limits (HTTP 429) and transient
  # failures; 0 means one try only (ALBATO_MAX_RETRIES).
  max_retries = 4
}
