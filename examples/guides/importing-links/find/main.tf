# Find the links to import: every link of the Demo CRM (partner 225) that a
# client has not revoked, with what an import block needs (id) and what the
# resource block must repeat (partner_id and title).
terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

provider "albato" {}

data "albato_connection_links" "crm" {
  partner_id = 225
}

output "importable" {
  description = "Links that can be imported, by id."
  value = {
    for l in data.albato_connection_links.crm.links : l.id => {
      partner_id  = l.partner_id
      title       = l.title
      status_name = l.status_name
    } if l.status_name != "revoked"
  }
}
