# Terraform: keep the state, which holds every link and token in plain text,
# in a backend that encrypts it at rest and restricts who can read it. With
# the s3 backend: server-side encryption with your own KMS key, and a bucket
# policy that lets only the pipeline's role read the state.
terraform {
  backend "s3" {
    bucket     = "acme-platform-terraform-state"
    key        = "albato/connection-links.tfstate"
    region     = "eu-central-1"
    encrypt    = true
    kms_key_id = "alias/terraform-state"
  }
}
