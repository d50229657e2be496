terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

provider "albato" {}

# Terraform v1.5 and later: import blocks. Each id is a literal sharing id.
import {
  to = albato_connection_link.client["acme"]
  id = "61"
}

import {
  to = albato_connection_link.client["globex"]
  id = "62"
}

# partner_id and title must be the imported links' own: a difference would
# replace the link, revoking the one the client already holds.
resource "albato_connection_link" "client" {
  for_each = {
    acme   = { partner_id = 225, title = "Acme Corp: Demo CRM" }
    globex = { partner_id = 227, title = "Globex Inc: Demo Calendar" }
  }

  partner_id = each.value.partner_id
  title      = each.value.title

  # Not imported: the first plan after the import records it with an
  # in-place update that sends no request.
  regenerate_before = "6h"
}
