terraform {
  required_providers {
    albato = {
      source  = "albato/albato"
      version = "~> 0.1"
    }
  }
}

# Configured from the environment: ALBATO_API_URL, ALBATO_TOKEN and
# ALBATO_CONNECT_URL point it at the sandbox.
provider "albato" {}

# A link for one client, for the sandbox's Demo CRM (partner 225: an API key
# and a subdomain).
resource "albato_connection_link" "acme" {
  partner_id = 225
  title      = "Acme Corp: Demo CRM"
}

output "acme_link" {
  description = "The link to hand to Acme: it works once, for 48 hours."
  value       = albato_connection_link.acme.link
  sensitive   = true
}

output "acme_link_id" {
  description = "The link's own id (the sharing id), not the partner id 225 in the link's id= parameter."
  value       = albato_connection_link.acme.id
}

output "acme_status" {
  description = "waiting, waiting_oauth, granted or revoked."
  value       = albato_connection_link.acme.status_name
}

output "acme_credential_id" {
  description = "The connection Acme created through the link; null until then."
  value       = albato_connection_link.acme.credential_id
}
