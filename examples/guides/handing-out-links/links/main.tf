terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

# The API token is a secret too. Prefer ALBATO_TOKEN in the environment; if it
# must come from a variable, mark the variable sensitive so that Terraform
# never prints it.
variable "albato_token" {
  description = "Albato API token; leave null to use ALBATO_TOKEN."
  type        = string
  default     = null
  sensitive   = true
}

provider "albato" {
  token = var.albato_token
}

variable "clients" {
  description = "The clients to connect, by a stable key: the app (partner) and the link's title."
  type = map(object({
    partner_id = number
    title      = string
  }))
}

resource "albato_connection_link" "client" {
  for_each = var.clients

  partner_id        = each.value.partner_id
  title             = each.value.title
  regenerate_before = "6h"
}
