# One link, to watch expiry on the sandbox's clock. Provider settings come
# from ALBATO_API_URL, ALBATO_TOKEN and ALBATO_CONNECT_URL.
terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

provider "albato" {}

resource "albato_connection_link" "trial" {
  partner_id = 225
  title      = "Expiry trial: Demo CRM"
  # regenerate_when_expired defaults to true: a plan regenerates the link
  # in place once it has expired unused.
}

output "link" {
  value     = albato_connection_link.trial.link
  sensitive = true
}

output "expires_at" {
  value = albato_connection_link.trial.expires_at
}

output "expired" {
  value = albato_connection_link.trial.expired
}
