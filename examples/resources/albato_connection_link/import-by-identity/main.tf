# Terraform and OpenTofu 1.12 and later: import by the resource identity.
terraform {
  required_version = ">= 1.12.0"
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

import {
  to = albato_connection_link.example
  identity = {
    id = "61"
  }
}

resource "albato_connection_link" "example" {
  partner_id = 225
  title      = "CRM connection for Umbrella"
}
