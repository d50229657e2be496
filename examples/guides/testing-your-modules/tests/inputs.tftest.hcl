# Mistakes in the module's inputs, caught at plan time. No provider value
# matters here, so the mock needs no defaults.

mock_provider "albato" {}

run "a_link_instead_of_its_id" {
  command = plan

  variables {
    link_ids = {
      acme = "https://connect.integrations-hub.com?id=225&token=bIGFVWkhmq"
    }
  }

  expect_failures = [var.link_ids]
}

run "a_client_in_both_maps" {
  command = plan

  variables {
    new_clients = {
      acme = { partner_id = 225, title = "Acme Corp: Demo CRM" }
    }
    link_ids = {
      acme = "61"
    }
  }

  expect_failures = [output.link_ids]
}
