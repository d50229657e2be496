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

# Hand links out: the filters select exactly the links to hand out, and
# include_secrets fills link_by_id, one sensitive map from link id to link
# (token_by_id likewise) with only the links whose token is still usable.
# exclude_expired_by_date leaves out the links whose date_created says they
# expired (a regenerated link may keep an old date and be left out too, but
# no link kept has expired). Output the map whole: a `for` that looks each
# link up costs Terraform more per link, a fifth to two thirds more CPU at
# 10,000 links and five times as much at 100,000 (345 s of CPU against 65 s
# on Terraform 1.16.4; see the guide "Handing links out safely").
data "albato_connection_links" "to_hand_out" {
  partner_id              = 225
  status_name             = "waiting"
  exclude_expired_by_date = true
  include_secrets         = true
}

output "links_to_hand_out" {
  description = "Each waiting link of the partner whose date does not say it expired, by id."
  sensitive   = true
  value       = data.albato_connection_links.to_hand_out.link_by_id
}
