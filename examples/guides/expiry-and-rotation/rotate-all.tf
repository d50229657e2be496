# Rotate every link at once, after the state or the list of links leaked:
# change rotation_epoch. Every link gets a new token in place, granted ones
# included: a granted link goes back to waiting and its credential_id to null
# (the connection itself stays in the account), so its client must complete
# the new link again.
variable "rotation_epoch" {
  description = "Change it to issue a new token for every link of this set."
  type        = string
  default     = "2026-01"
}

resource "albato_connection_link" "partner" {
  for_each = toset(["umbrella", "hooli"])

  partner_id = 225
  title      = "CRM connection for ${each.key}"

  regenerate_triggers = {
    epoch = var.rotation_epoch
  }
}
