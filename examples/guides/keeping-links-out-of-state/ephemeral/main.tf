terraform {
  required_version = ">= 1.11.0" # ephemeral resources and write-only arguments
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

variable "clients" {
  description = "Clients who connect their CRM, by a stable key."
  type        = map(string)
}

# The links are created and managed as usual, but their token and link are
# never written to the state or a plan.
resource "albato_connection_link" "crm" {
  for_each = var.clients

  partner_id  = 225
  title       = "CRM connection for ${each.value}"
  store_token = false

  regenerate_before = "6h"
}

# Read at every plan and apply, and never stored.
ephemeral "albato_connection_link" "crm" {
  for_each = albato_connection_link.crm

  id = each.value.id
}
