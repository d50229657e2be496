resource "albato_connection_link" "acme" {
  partner_id = 225
  title      = "Acme Corp: Demo CRM"
}

# Regenerate Acme's token now, as Albato's "Refresh credentials" does, with
#   terraform apply -invoke=action.albato_connection_link_regenerate.acme
# The id stays; hand the new link out (the next refresh shows it).
action "albato_connection_link_regenerate" "acme" {
  config {
    id = albato_connection_link.acme.id
    # allow_granted = true # also reset a link Acme already completed
  }
}
