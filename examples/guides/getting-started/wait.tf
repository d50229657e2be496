# Wait until Acme has completed the link, then expose the connection it
# created. The read runs during the plan once the link exists, and blocks
# until the status is "granted" or the timeout runs out.
data "albato_connection_link" "acme" {
  id              = albato_connection_link.acme.id
  wait_for_status = ["granted"]

  timeouts {
    read = "15m"
  }
}

output "acme_connection" {
  description = "The connection Acme created, once the link is granted."
  value       = data.albato_connection_link.acme.credential_id
}
