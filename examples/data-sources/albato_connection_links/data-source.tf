# Every link of one partner (app), whatever its status.
data "albato_connection_links" "crm" {
  partner_id = 225
}

# Only the links still waiting for their end user, across all partners.
data "albato_connection_links" "waiting" {
  status = 0 # 0 waiting, 1 granted, 2 waiting for OAuth, 3 revoked
}

output "crm_credential_ids" {
  description = "Connection ids created through the partner's granted links."
  value = [
    for l in data.albato_connection_links.crm.links : l.credential_id
    if l.status_name == "granted"
  ]
}

output "expired_link_ids" {
  description = "Waiting links nobody used in time."
  value       = [for l in data.albato_connection_links.waiting.links : l.id if l.expired]
}
