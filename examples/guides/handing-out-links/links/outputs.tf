# The links are bearer secrets: an output that contains one must be
# sensitive, or Terraform refuses the configuration.
output "links" {
  description = "The link to hand to each client (terraform output -json links)."
  value       = { for client, l in albato_connection_link.client : client => l.link }
  sensitive   = true
}

# An id alone gives nothing away: another configuration can take the ids and
# read (or wait for) the links itself with the albato_connection_link data
# source, so that it never needs this configuration's secrets or state.
output "link_ids" {
  description = "Each client's link id."
  value       = { for client, l in albato_connection_link.client : client => l.id }
}

# When each link stops working if nobody uses it, so that whoever hands them
# out knows which ones to send again.
output "expires_at" {
  description = "Each client's link expiry, RFC 3339 in UTC."
  value       = { for client, l in albato_connection_link.client : client => l.expires_at }
}
