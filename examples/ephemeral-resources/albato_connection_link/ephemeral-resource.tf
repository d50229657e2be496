# Terraform 1.10+ / OpenTofu 1.11+: read a link without writing it to the
# state or a plan file. Each plan and apply reads it once; nothing is created,
# regenerated or revoked.
terraform {
  # One constraint for both CLIs: OpenTofu before 1.11 has no ephemeral
  # resources (Terraform 1.10 has them, and may lower it to ">= 1.10.0").
  required_version = ">= 1.11.0"
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

resource "albato_connection_link" "crm" {
  partner_id  = 225
  title       = "CRM connection for ACME Corp"
  store_token = false # token and link stay out of state and plan
}

ephemeral "albato_connection_link" "crm" {
  id = albato_connection_link.crm.id
}

# ephemeral.albato_connection_link.crm.link may go wherever Terraform accepts
# an ephemeral value: a write-only argument (with albato_connection_link.crm.issued_at
# as its version), a provider configuration, or an ephemeral output of a module.
