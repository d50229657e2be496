# A module a platform team writes on top of the provider: it creates a
# connection link for each new client, reads the links handed out earlier (a
# first stage's link_ids), and tells which clients are done and the
# connection (credential_id) each created, for a solution installation.
#
# tests/ tests it with a mocked provider: `terraform test` (Terraform 1.7+)
# or `tofu test` (OpenTofu 1.8+), with no account and no network.
# tests-sandbox/ tests it against the local sandbox:
# `terraform test -test-directory=tests-sandbox`, with ALBATO_API_URL,
# ALBATO_TOKEN and ALBATO_CONNECT_URL pointing at it.
terraform {
  required_version = ">= 1.5"

  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

variable "new_clients" {
  description = "The clients to create a link for: the app (partner) each connects, and the link's title."
  type = map(object({
    partner_id = number
    title      = string
  }))
  default  = {}
  nullable = false
}

variable "link_ids" {
  description = "Links handed out earlier, by client: each link's id, such as a first stage's link_ids output."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for id in values(var.link_ids) : can(regex("^[1-9][0-9]*$", id))])
    error_message = "Each link id must be a link's id in decimal, such as \"61\", not the link itself."
  }
}

variable "wait_for_clients" {
  description = "Wait until every client in link_ids has completed its link (up to 30 minutes). false reads each link once."
  type        = bool
  default     = false
  nullable    = false
}

resource "albato_connection_link" "new" {
  for_each = var.new_clients

  partner_id = each.value.partner_id
  title      = each.value.title

  # Never hand out a link with less than 6 hours left.
  regenerate_before = "6h"
}

data "albato_connection_link" "handed_out" {
  for_each = var.link_ids

  id              = each.value
  wait_for_status = var.wait_for_clients ? ["granted"] : null

  timeouts {
    read = "30m"
  }
}

locals {
  # Every client's link, new or handed out earlier, in one shape.
  links = merge(
    { for client, l in data.albato_connection_link.handed_out : client => {
      id            = l.id
      status_name   = l.status_name
      credential_id = l.credential_id
      link          = l.link
      expires_at    = l.expires_at
    } },
    { for client, l in albato_connection_link.new : client => {
      id            = l.id
      status_name   = l.status_name
      credential_id = l.credential_id
      link          = l.link
      expires_at    = l.expires_at
    } },
  )

  # A link the client can still open: waiting, or half-way through an OAuth consent.
  usable = { for client, l in local.links : client => l if contains(["waiting", "waiting_oauth"], l.status_name) }
}

output "link_ids" {
  description = "Each client's link id, to pass to a later run as link_ids."
  value       = { for client, l in local.links : client => l.id }

  precondition {
    condition     = length(setintersection(keys(var.new_clients), keys(var.link_ids))) == 0
    error_message = "A client is in both new_clients and link_ids: give it a new link or read the one it has, not both."
  }
}

output "links" {
  description = "The link of each client who has not completed it yet, to hand out. Bearer secrets."
  value       = { for client, l in local.usable : client => l.link }
  sensitive   = true
}

output "link_expiry" {
  description = "When each client's link stops working, for the message that hands it out."
  value       = { for client, l in local.usable : client => formatdate("D MMMM YYYY, hh:mm 'UTC'", l.expires_at) }
}

output "waiting" {
  description = "The clients who have not completed their link yet."
  value       = sort(keys(local.usable))
}

output "credential_ids" {
  description = "The connection (credential_id) each client who completed its link created: the input of a solution installation."
  value       = { for client, l in local.links : client => l.credential_id if l.status_name == "granted" }
}
