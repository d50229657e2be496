# A second stage (or a second apply) waits until the client has completed the
# link created by the albato_connection_link resource.
variable "crm_link_id" {
  description = "Id of the link handed out, e.g. from the first stage's crm_link_ids output."
  type        = string
}

data "albato_connection_link" "crm" {
  id              = var.crm_link_id
  wait_for_status = ["granted"]

  # Give the client up to 30 minutes (default: 10m).
  timeouts {
    read = "30m"
  }
}

# The connection the client created: feed it to the solution installation.
output "crm_credential_id" {
  value = data.albato_connection_link.crm.credential_id
}
