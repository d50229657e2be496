# Stands for the installation of an Albato solution on a client's connection.
# A real module would call the API that installs the solution here; this one
# only records what would be installed, in terraform_data, so that the example
# runs anywhere.
terraform {
  required_version = ">= 1.4" # terraform_data
}

variable "client" {
  description = "The client the solution is installed for."
  type        = string
  nullable    = false
}

variable "credential_id" {
  description = "The connection the client created through its link (the link's credential_id)."
  type        = number
  nullable    = false

  validation {
    condition     = var.credential_id > 0 && floor(var.credential_id) == var.credential_id
    error_message = "The credential_id must be a positive whole number: the link's credential_id once the client has completed it."
  }
}

variable "solution_id" {
  description = "The solution to install."
  type        = string
  nullable    = false

  validation {
    condition     = trimspace(var.solution_id) != ""
    error_message = "The solution_id must not be empty."
  }
}

resource "terraform_data" "installation" {
  input = {
    client        = var.client
    credential_id = var.credential_id
    solution_id   = var.solution_id
  }

  # An installation belongs to one connection: a new connection (the client
  # completed a new link) or another solution means a new installation.
  triggers_replace = [var.credential_id, var.solution_id]
}

output "installation" {
  description = "The installation: client, credential_id and solution_id."
  value       = terraform_data.installation.output
}
