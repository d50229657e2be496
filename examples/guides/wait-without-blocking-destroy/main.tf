# A wait that never holds a destroy: `terraform destroy` re-reads every data
# source first, so give the wait a switch, and destroy with
#   terraform destroy -var wait_for_client=false
variable "link_id" {
  description = "The link to wait for: the id of an albato_connection_link."
  type        = string
}

variable "wait_for_client" {
  description = "Wait until the end user has completed the link. false reads it once, whatever its status."
  type        = bool
  default     = true
  nullable    = false
}

data "albato_connection_link" "client" {
  id              = var.link_id
  wait_for_status = var.wait_for_client ? ["granted"] : null

  timeouts {
    read = "30m"
  }
}

output "credential_id" {
  description = "The connection the end user created; null while the link is still waiting (with the wait off)."
  value       = data.albato_connection_link.client.credential_id
}
