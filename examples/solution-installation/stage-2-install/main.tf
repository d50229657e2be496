# Stage 2: wait until each client has completed its link, then install the
# solution on the connection (credential) the client created.
#
#   terraform apply -var "link_ids=$(terraform -chdir=../stage-1-links output -json link_ids)"
#
# Destroy this stage before stage 1, without reading the links again (a
# destroy refreshes first, and a wait would hold it until its timeout):
#
#   terraform destroy -refresh=false -var "link_ids=..."
terraform {
  required_version = ">= 1.4" # terraform_data, in the module

  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

provider "albato" {}

variable "link_ids" {
  description = "Each client's link id: stage 1's link_ids output, as JSON."
  type        = map(string)
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
  for_each = var.link_ids

  id              = each.value
  wait_for_status = var.wait_for_clients ? ["granted"] : null

  timeouts {
    read = "30m" # how long a plan or apply waits for the slowest client
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
