# __generated__ by Terraform
# Please review these resources and move them into your main configuration files.

# __generated__ by Terraform from "64"
resource "albato_connection_link" "umbrella" {
  partner_id              = 225
  regenerate_before       = "0s"
  regenerate_triggers     = null
  regenerate_when_expired = true
  store_token             = true
  title                   = "Umbrella Corp: Demo CRM"
}
