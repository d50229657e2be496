# __generated__ by Terraform
# Please review these resources and move them into your main configuration files.

# __generated__ by Terraform
resource "albato_connection_link" "crm_0" {
  provider                = albato
  partner_id              = 225
  regenerate_before       = "0s"
  regenerate_triggers     = null
  regenerate_when_expired = true
  store_token             = true
  title                   = "Globex Inc: Demo CRM"
}

import {
  to       = albato_connection_link.crm_0
  provider = albato
  identity = {
    id = "63"
  }
}

resource "albato_connection_link" "crm_1" {
  provider                = albato
  partner_id              = 225
  regenerate_before       = "0s"
  regenerate_triggers     = null
  regenerate_when_expired = true
  store_token             = true
  title                   = "Umbrella Corp: Demo CRM"
}

import {
  to       = albato_connection_link.crm_1
  provider = albato
  identity = {
    id = "64"
  }
}
