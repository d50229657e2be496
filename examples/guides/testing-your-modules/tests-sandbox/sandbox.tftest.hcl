# The module against the local sandbox: real links, created, completed by a
# client and read back. A plain `terraform test` reads tests/ only; run this
# with `terraform test -test-directory=tests-sandbox`, with the sandbox
# running (`go run ./cmd/albato-sandbox -control` in the provider's
# repository) and ALBATO_API_URL, ALBATO_TOKEN and ALBATO_CONNECT_URL
# pointing at it. The links are revoked when the test ends.

provider "albato" {}

variables {
  new_clients = {
    acme   = { partner_id = 225, title = "Acme Corp: Demo CRM (module test)" }
    globex = { partner_id = 227, title = "Globex Inc: Demo Calendar (module test)" }
  }
}

run "hand_out" {
  assert {
    condition     = output.waiting == tolist(["acme", "globex"])
    error_message = "Both new links should be waiting."
  }

  assert {
    condition     = can(regex("\\?id=225&token=[^&]+$", output.links["acme"]))
    error_message = "Acme's link should carry the partner id and a token."
  }

  assert {
    condition     = length(output.credential_ids) == 0
    error_message = "Nobody has completed a link yet."
  }
}

run "acme_completes_its_link" {
  module {
    source = "./tests-sandbox/client"
  }

  variables {
    link_id = run.hand_out.link_ids["acme"]
  }
}

# The refresh finds what Acme did. An apply (which changes nothing) rather
# than a plan: OpenTofu 1.12 hands a later run no output of a plan.
run "refreshed" {
  assert {
    condition     = output.credential_ids["acme"] > 0 && floor(output.credential_ids["acme"]) == output.credential_ids["acme"]
    error_message = "Acme's link should be granted, with a whole-number credential_id."
  }

  assert {
    condition     = output.waiting == tolist(["globex"])
    error_message = "Only Globex should be waiting."
  }
}

# A later stage that only has the ids reads the same links with the data
# source (a plan: nothing is destroyed).
run "read_by_id" {
  command = plan

  variables {
    new_clients = {}
    link_ids    = run.refreshed.link_ids
    # Read in the assertion below (OpenTofu 1.12 allows run.* in variables only).
    acme_credential_id = run.refreshed.credential_ids["acme"]
  }

  assert {
    condition     = output.credential_ids["acme"] == var.acme_credential_id
    error_message = "The data source should find the credential_id the resource found."
  }

  assert {
    condition     = output.waiting == tolist(["globex"])
    error_message = "Only Globex should be waiting."
  }
}
