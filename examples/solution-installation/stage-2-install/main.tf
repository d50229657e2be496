# Stage 2: wait until each client has completed its link, then install the
# solution on the connection (credential) the client created.
#
#   terraform apply -var "issued_links=$(terraform -chdir=../stage-1-links output -json issued_links)"
#
# Destroy this stage before stage 1, without reading the links again (a
# destroy refreshes first, and a wait would hold it until its timeout):
#
#   terraform destroy -refresh=false -var "issued_links=..."
terraform {
  required_version = ">= 1.5" # plantimestamp(); terraform_data, in the module

  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

provider "albato" {}

variable "issued_links" {
  description = "Each client's link id and its token's expires_at (null once used): stage 1's issued_links output, as JSON."
  type = map(object({
    id         = string
    expires_at = string
  }))
}

variable "solution_id" {
  description = "The solution to install for every client."
  type        = string
  default     = "demo-crm-calendar-sync"
}

variable "wait_for_clients" {
  description = "Wait until every client has completed its link. false reads each link once and installs for the clients who have."
  type        = bool
  default     = true
  nullable    = false
}

# One read per client; each waits until its client has completed the link.
# Only a revoked or deleted link fails at once; any other link, even one
# whose date says it expired, is waited for until the read timeout, which
# fails too, naming it.
data "albato_connection_link" "client" {
  for_each = var.issued_links

  id              = each.value.id
  wait_for_status = var.wait_for_clients ? ["granted"] : null

  timeouts {
    read = "30m" # how long a plan or apply waits for the slowest client
  }

  lifecycle {
    # Refuse, before the read, a link whose token expired unused, as stage 1
    # saw it: no client can complete it, and a wait on it would run to the
    # timeout (this data source cannot tell, as its expires_at is a hint).
    precondition {
      condition     = !var.wait_for_clients || timecmp(plantimestamp(), coalesce(each.value.expires_at, "9999-12-31T23:59:59Z")) < 0
      error_message = "Client ${each.key}'s link (id ${each.value.id}) expired unused at ${each.value.expires_at}, as stage 1 last saw it. Apply stage 1 again: it regenerates a link still waiting (same id, new token: hand ${each.key} the new link) and records one completed since. Then run stage 2 with stage 1's new issued_links."
    }
  }
}

# The clients who have completed their link: all of them once the wait is
# over, and those who have so far with wait_for_clients = false.
module "solution" {
  source   = "../modules/solution-installation"
  for_each = { for client, l in data.albato_connection_link.client : client => l if l.status_name == "granted" }

  client        = each.key
  credential_id = each.value.credential_id
  solution_id   = var.solution_id
}

output "installations" {
  description = "What was installed, per client."
  value       = { for client, m in module.solution : client => m.installation }
}
