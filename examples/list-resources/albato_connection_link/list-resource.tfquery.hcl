# Every link of the Demo CRM (partner 225) that can still be imported:
#   terraform query
# and, to have Terraform write import and resource blocks for them:
#   terraform query -generate-config-out=generated.tf
list "albato_connection_link" "crm" {
  provider = albato

  config {
    partner_id = 225
    # status_name = "waiting" # only links still waiting for their end user
  }

  # Also the resource object each import would save (implied by
  # -generate-config-out).
  include_resource = true
}
