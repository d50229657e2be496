terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

provider "albato" {}

variable "acme_link_id" {
  description = "The id of the link handed to Acme (stage 1's link_ids output)."
  type        = string
}

# Read at the end of every plan and apply. A failed assertion is a warning,
# not an error: the plan goes on, and a scheduled `terraform plan` reports it.
check "acme_link_usable" {
  data "albato_connection_link" "acme" {
    id = var.acme_link_id
  }

  assert {
    condition     = data.albato_connection_link.acme.status_name != "revoked"
    error_message = "Acme's connection link ${var.acme_link_id} was revoked: it can no longer be completed. Create a new link (apply stage 1) and hand it out."
  }

  assert {
    condition     = !data.albato_connection_link.acme.expired
    error_message = "Acme's connection link ${var.acme_link_id} expired unused at ${data.albato_connection_link.acme.expires_at}. Regenerate it (apply stage 1) and hand out the new link."
  }
}
