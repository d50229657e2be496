terraform {
  required_providers {
    albato = {
      source = "albato/albato"
    }
  }
}

# Configured from the environment: ALBATO_API_URL, ALBATO_TOKEN and
# ALBATO_CONNECT_URL.
provider "albato" {}
