terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

provider "albato" {}

# Terraform v1.5 and later: import blocks. Each id is a literal sharing id:
# the one `terraform output importable` printed for the link (63 right after
# the getting-started guide).
import {
  to = albato_connection_link.client["globex"]
  id = "63"
}

# partner_id and title must be the imported links' own: a difference would
# replace the link, revoking the one the client already holds.
resource "albato_connection_link" "client" {
  for_each = {
    globex = { partner_id = 225, title = "Globex Inc: Demo CRM" }
  }

  partner_id = each.value.partner_id
  title      = each.value.title

  # Not imported: the first plan after the import records it with an
  # in-place update that sends no request.
  regenerate_before = "6h"
}
