# Hand out every waiting link of one app at once, from the account's listing:
# the filters select exactly the links to hand out, so the sensitive map
# link_by_id is output whole, with no `for` over the links.
data "albato_connection_links" "to_hand_out" {
  partner_id              = 225
  status_name             = "waiting"
  exclude_expired_by_date = true # leaves out the links whose date_created says they expired
  include_secrets         = true # fills link_by_id (and token_by_id): sensitive maps by link id
}

output "links_to_hand_out" {
  description = "Each link to hand out, by link id."
  sensitive   = true
  value       = data.albato_connection_links.to_hand_out.link_by_id
}
