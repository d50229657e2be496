# Every link of one partner (app), whatever its status.
data "albato_connection_links" "crm" {
  partner_id = 225
}

# Only the links still waiting for their end user, across all partners.
data "albato_connection_links" "waiting" {
  status_name = "waiting" # or "granted", "waiting_oauth", "revoked" (status = 0..3 says the same by number)
}

output "crm_credential_ids" {
  description = "Connection ids created through the partner's granted links."
  value = [
    for l in data.albato_connection_links.crm.links : l.credential_id
    if l.status_name == "granted"
  ]
}

output "expired_link_ids" {
  description = "Waiting links whose date_created says they expired (a hint: a link regenerated since may keep its date)."
  value       = [for l in data.albato_connection_links.waiting.links : l.id if l.expired]
}

# Hand links out: include_secrets fills link_by_id, one sensitive map from
# link id to link (token_by_id likewise), with only the links whose token is
# still usable. Iterate over links, which is not sensitive (a for_each may
# use it: `for_each = { for l in ...links : l.id => l }`), and look each
# link up by id (`link_by_id[each.key]`).
data "albato_connection_links" "to_hand_out" {
  partner_id      = 225
  status_name     = "waiting"
  include_secrets = true
}

output "links_to_hand_out" {
  description = "Each waiting link of the partner that has not expired, by id."
  sensitive   = true
  value = {
    for l in data.albato_connection_links.to_hand_out.links :
    l.id => data.albato_connection_links.to_hand_out.link_by_id[l.id] if !l.expired
  }
}
