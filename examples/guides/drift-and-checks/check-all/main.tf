terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

provider "albato" {}

variable "link_ids" {
  description = "Each client's link id (stage 1's link_ids output)."
  type        = map(string)
}

# One read of every link, whatever the number of clients: a check block takes
# no for_each, so it lists the links and judges those handed out.
check "handed_out_links_usable" {
  data "albato_connection_links" "all" {}

  assert {
    condition = alltrue([
      for client, id in var.link_ids : contains([for l in data.albato_connection_links.all.links : l.id], id)
    ])
    error_message = "Links handed out no longer exist: ${join(", ", [for client, id in var.link_ids : "${client} (${id})" if !contains([for l in data.albato_connection_links.all.links : l.id], id)])}."
  }

  assert {
    condition = alltrue([
      for l in data.albato_connection_links.all.links : !(l.expired || l.status_name == "revoked")
      if contains(values(var.link_ids), l.id)
    ])
    error_message = "Links handed out can no longer be completed: ${join(", ", [
      for l in data.albato_connection_links.all.links : "${l.title} (${l.id}, ${l.expired ? "expired" : l.status_name})"
      if contains(values(var.link_ids), l.id) && (l.expired || l.status_name == "revoked")
    ])}. Apply stage 1 to regenerate or recreate them, and hand the new links out."
  }
}
