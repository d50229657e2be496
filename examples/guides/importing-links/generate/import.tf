# Import blocks alone, without the resource blocks: run
#   terraform plan -generate-config-out=generated.tf
# and Terraform writes the resource blocks into generated.tf.
terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

provider "albato" {}

# The id `terraform output importable` printed for Umbrella's link (64 right
# after the getting-started guide).
import {
  to = albato_connection_link.umbrella
  id = "64"
}
