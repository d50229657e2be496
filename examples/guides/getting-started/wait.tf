# Wait until Acme has completed the link, then expose the connection it
# created. Once the link exists, the read runs while Terraform plans, and
# blocks until the status is "granted", the link is revoked or deleted, or
# the timeout runs out (an expired link is waited for like any other).
#
# Terraform reads the data source again at every plan, including the plan
# that `terraform destroy` makes first; while it plans an apply or a destroy,
# Terraform 1.5 to 1.13 and OpenTofu 1.12 pass no Ctrl-C on to the provider
# (Terraform 1.16 does, and the destroy then fails). So the wait can be
# turned off: destroy with
#   terraform destroy -var wait_for_acme=false   (or -refresh=false)
# and create a new link without waiting with
#   terraform apply -var wait_for_acme=false
variable "wait_for_acme" {
  description = "Wait for Acme to complete the link. Set it to false to destroy, or to apply without waiting."
  type        = bool
  default     = true
  nullable    = false
}

data "albato_connection_link" "acme" {
  id = albato_connection_link.acme.id

  # null: read the link once, whatever its status.
  wait_for_status = var.wait_for_acme ? ["granted"] : null

  timeouts {
    read = "15m"
  }
}

output "acme_connection" {
  description = "The connection Acme created; null while the link is still waiting."
  value       = data.albato_connection_link.acme.credential_id
}
