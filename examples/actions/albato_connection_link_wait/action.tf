resource "albato_connection_link" "client" {
  for_each = toset(["Acme Corp", "Globex Inc"])

  partner_id = 225
  title      = "${each.key}: Demo CRM"
}

# Wait until both clients have completed their links, with
#   terraform apply -invoke=action.albato_connection_link_wait.clients
# once the links are handed out. Progress shows as the clients act:
#   1 of 2 links granted; waiting for 62 (Globex Inc: Demo CRM)
action "albato_connection_link_wait" "clients" {
  config {
    ids      = [for l in albato_connection_link.client : l.id]
    statuses = ["granted"] # the default
    timeout  = "30m"       # default "10m"
  }
}

# Or run the wait inside an apply: after whatever hands the links out is
# created (here a stand-in), the apply holds until every client has acted.
resource "terraform_data" "links_handed_out" {
  input = [for l in albato_connection_link.client : l.id]

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.albato_connection_link_wait.clients]
    }
  }
}
