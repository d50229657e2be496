# Plays the client in tests-sandbox/: completes a link through the sandbox's
# control endpoint, as a client who opened it and signed in would. Needs curl
# and ALBATO_API_URL (the sandbox) in the environment.
terraform {
  required_version = ">= 1.4" # terraform_data

  # Unused here: OpenTofu hands the test file's provider "albato" to every
  # run's module, and without this would look for hashicorp/albato.
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

variable "link_id" {
  description = "The id of the link to complete."
  type        = string

  validation {
    condition     = can(regex("^[1-9][0-9]*$", var.link_id))
    error_message = "The link_id must be a link's id in decimal."
  }
}

resource "terraform_data" "complete" {
  input = var.link_id

  provisioner "local-exec" {
    command = "curl -fsS -X POST \"$ALBATO_API_URL/_sandbox/sharings/${var.link_id}/grant\""
  }
}
