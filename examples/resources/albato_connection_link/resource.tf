# One link per client: each client follows their link, signs in to the CRM
# and so creates a connection in your Albato account.
variable "crm_clients" {
  description = "Clients who connect their CRM, by a stable key."
  type        = map(string)
  default = {
    acme    = "ACME Corp"
    globex  = "Globex"
    initech = "Initech"
  }
}

resource "albato_connection_link" "crm" {
  for_each = var.crm_clients

  partner_id = 225 # the app whose connection the client creates
  title      = "CRM connection for ${each.value}"

  # A link lives 48 hours. Plan a new token (same id) for a link still waiting
  # 6 hours before it expires, so that a link sent out today is not about to die.
  regenerate_before = "6h"

  # Change a value to issue a new token in place, e.g. after a link leaked.
  regenerate_triggers = {
    rotation = "2025-01"
  }
}

# Read them with: terraform output -json crm_links
output "crm_links" {
  description = "The link to send to each client."
  value       = { for key, l in albato_connection_link.crm : key => l.link }
  sensitive   = true
}

output "crm_link_ids" {
  description = "Link ids, for a later stage that waits with the albato_connection_link data source."
  value       = { for key, l in albato_connection_link.crm : key => l.id }
}

output "crm_credential_ids" {
  description = "The connection id of each client who completed their link; null until then."
  value       = { for key, l in albato_connection_link.crm : key => l.credential_id }
}
