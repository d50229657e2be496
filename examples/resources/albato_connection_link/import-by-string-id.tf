import {
  to = albato_connection_link.example
  id = "61"
}

# partner_id and title must match the imported link's; a difference would
# replace it with a new link.
resource "albato_connection_link" "example" {
  partner_id = 225
  title      = "CRM connection for Umbrella"
}
