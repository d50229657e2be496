terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

provider "albato" {}

variable "acme_link" {
  description = "The link handed to Acme: its id and its expires_at, both from the stage that manages it (albato_connection_link.id and .expires_at), which count its regenerations."
  type = object({
    id         = string
    expires_at = string
  })
}

check "acme_link_not_expired" {
  data "albato_connection_link" "acme" {
    id = var.acme_link.id
  }

  # Only a waiting link can expire; the expiry is the managing stage's.
  assert {
    condition     = data.albato_connection_link.acme.status_name != "waiting" || timecmp(plantimestamp(), var.acme_link.expires_at) < 0
    error_message = "Acme's connection link ${var.acme_link.id} expired unused at ${var.acme_link.expires_at}. Regenerate it and hand out the new link."
  }
}
