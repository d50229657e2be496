terraform {
  required_version = ">= 1.3" # optional() attributes

  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

provider "albato" {}

variable "clients" {
  description = "The clients to connect. Change a client's rotation to issue it a new link."
  type = map(object({
    partner_id = number
    title      = string
    rotation   = optional(string, "1")
  }))
}

resource "albato_connection_link" "client" {
  for_each = var.clients

  partner_id = each.value.partner_id
  title      = each.value.title

  # A plan regenerates a waiting link that has less than 6 hours left, so
  # that a link handed out right after an apply has at least 6 hours to live.
  regenerate_before = "6h"

  # Change the value to issue a new token in place (same id, new link), for
  # this client only: after the link leaked, or was sent to the wrong person.
  regenerate_triggers = {
    rotation = each.value.rotation
  }
}

output "links" {
  description = "The current link of each client: hand it out again after a regeneration."
  value       = { for client, l in albato_connection_link.client : client => l.link }
  sensitive   = true
}

output "expires_at" {
  description = "When each client's current link expires unused."
  value       = { for client, l in albato_connection_link.client : client => l.expires_at }
}
