# The Demo CRM's links (partner 225) that can still be imported.
list "albato_connection_link" "crm" {
  provider = albato

  config {
    partner_id = 225
  }
}
