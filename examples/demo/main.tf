# The demo run by `make demo` (scripts/demo.sh) against the local sandbox.
terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

# Configured from the environment: ALBATO_API_URL, ALBATO_TOKEN and
# ALBATO_CONNECT_URL (scripts/demo.sh points them at the sandbox).
provider "albato" {}

locals {
  # One connection link per client, for the app (partner) that client connects.
  clients = {
    acme   = { partner_id = 225, title = "Acme Corp: Demo CRM" }     # API key and subdomain
    globex = { partner_id = 226, title = "Globex Inc: Demo Mailer" } # login and password
  }

  # Acme's link as a whole: an output that reads it makes `terraform plan` show
  # every change Acme makes outside Terraform (status, status_name,
  # credential_id), not only the attribute the output reads.
  acme = albato_connection_link.client["acme"]
}

resource "albato_connection_link" "client" {
  for_each = local.clients

  partner_id = each.value.partner_id
  title      = each.value.title
}

output "links" {
  description = "The link to hand to each client; it works once, for 48 hours."
  value       = { for name, l in albato_connection_link.client : name => l.link }
  sensitive   = true
}

output "statuses" {
  description = "Where each client is: waiting, granted, waiting_oauth or revoked."
  value       = { for name, l in albato_connection_link.client : name => l.status_name }
}

output "credential_id" {
  description = "The connection Acme created through its link (null until then), for installing a solution."
  value       = local.acme.credential_id
}
