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

import {
  to = albato_connection_link.umbrella
  id = "63"
}
