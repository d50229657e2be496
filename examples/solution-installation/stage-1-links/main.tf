# Stage 1: one connection link per client. Apply it, then hand each client its
# link (terraform output -json links); the links work once, for 48 hours.
terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

# ALBATO_TOKEN (and ALBATO_API_URL, ALBATO_CONNECT_URL if yours differ) in the
# environment.
provider "albato" {}

variable "clients" {
  description = "The clients to connect: for each, the app (partner) to connect and the link's title."
  type = map(object({
    partner_id = number
    title      = string
  }))
  default = {
    acme   = { partner_id = 225, title = "Acme Corp: Demo CRM" }
    globex = { partner_id = 227, title = "Globex Inc: Demo Calendar" }
  }

  validation {
    condition     = alltrue([for c in values(var.clients) : length(c.title) >= 1 && length(c.title) <= 255])
    error_message = "Each client's title must be 1 to 255 characters long."
  }
}

resource "albato_connection_link" "client" {
  for_each = var.clients

  partner_id = each.value.partner_id
  title      = each.value.title

  # Never hand out a link with less than 6 hours left: the next apply
  # regenerates it in place (same id, new token) 6 hours before it expires.
  regenerate_before = "6h"
}

output "links" {
  description = "The link to hand to each client. Bearer secrets: whoever has one can connect an account."
  value       = { for client, l in albato_connection_link.client : client => l.link }
  sensitive   = true
}

output "link_ids" {
  description = "Each client's link id, for stage 2 (terraform output -json link_ids)."
  value       = { for client, l in albato_connection_link.client : client => l.id }
}

# Stage 2's input: each client's link id, and when the resource issued its
# token to expire. This resource knows that; a data source reading the link
# later does not (its expires_at counts from date_created, a hint that a
# regeneration may not move). Null once the link is no longer waiting: the
# client has used it, so its expiry no longer matters.
output "issued_links" {
  description = "Each client's link id and its token's expires_at (null once used), for stage 2 (terraform output -json issued_links)."
  value = {
    for client, l in albato_connection_link.client : client => {
      id         = l.id
      expires_at = l.status_name == "waiting" ? l.expires_at : null
    }
  }
}

output "statuses" {
  description = "Where each client is: waiting, waiting_oauth, granted (or the link is gone: revoked)."
  value       = { for client, l in albato_connection_link.client : client => l.status_name }
}
