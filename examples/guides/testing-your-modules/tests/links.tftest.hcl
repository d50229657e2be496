# The module's logic, with a mocked provider: no account, no network, no
# sandbox. The mock answers with values shaped like real links, so that what
# the module does with them (formatdate on expires_at, the filters on
# status_name) runs as it would on real ones.

mock_provider "albato" {
  # A link as the API returns it after its creation: waiting, no connection
  # yet (credential_id null), 48 hours to live.
  mock_resource "albato_connection_link" {
    defaults = {
      id            = "61"
      token         = "bIGFVWkhmq"
      link          = "https://connect.integrations-hub.com?id=225&token=bIGFVWkhmq"
      status        = 0
      status_name   = "waiting"
      credential_id = null
      date_created  = "2026-03-02T09:30:00Z"
      issued_at     = 1772443800
      expires_at    = "2026-03-04T09:30:00Z"
      expired       = false
    }
  }

  # The same link, read by id.
  mock_data "albato_connection_link" {
    defaults = {
      partner_id    = 225
      title         = "Acme Corp: Demo CRM"
      token         = "bIGFVWkhmq"
      link          = "https://connect.integrations-hub.com?id=225&token=bIGFVWkhmq"
      status        = 0
      status_name   = "waiting"
      credential_id = null
      date_created  = "2026-03-02T09:30:00Z"
      issued_at     = 1772443800
      expires_at    = "2026-03-04T09:30:00Z"
      expired       = false
    }
  }
}

variables {
  link_ids = {
    acme   = "61"
    globex = "62"
  }
}

# Nobody has completed a link: every client is waiting, and no connection
# can be installed yet. Data sources are read at plan time, so a plan is
# enough.
run "clients_waiting" {
  command = plan

  assert {
    condition     = output.waiting == tolist(["acme", "globex"])
    error_message = "Both clients should be waiting."
  }

  assert {
    condition     = length(output.credential_ids) == 0
    error_message = "No client has completed a link, so no credential_id should be passed on."
  }

  assert {
    condition     = startswith(output.links["acme"], "https://connect.integrations-hub.com?id=225&token=")
    error_message = "Acme's link should be handed out."
  }

  assert {
    condition     = output.link_expiry["acme"] == "4 March 2026, 09:30 UTC"
    error_message = "The expiry should be expires_at, in words."
  }
}

# Acme has completed its link: its connection is passed on, and its spent
# link is no longer handed out. (An override applies to every instance of
# its target: OpenTofu 1.12 refuses an instance such as handed_out["acme"],
# so this run reads Acme's link alone.)
run "acme_granted" {
  command = plan

  variables {
    link_ids = { acme = "61" }
  }

  override_data {
    target = data.albato_connection_link.handed_out
    values = {
      partner_id    = 225
      title         = "Acme Corp: Demo CRM"
      token         = null
      link          = null
      status        = 1
      status_name   = "granted"
      credential_id = 248
      date_created  = "2026-03-02T09:30:00Z"
      issued_at     = 1772443800
      expires_at    = "2026-03-04T09:30:00Z"
      expired       = false
    }
  }

  assert {
    condition     = output.credential_ids["acme"] == 248
    error_message = "Acme's credential_id should be passed on."
  }

  assert {
    condition     = length(output.waiting) == 0 && length(output.links) == 0
    error_message = "Acme's spent link should not be handed out again."
  }
}

# A new client gets a link beside Acme, who is done. The resource's computed
# attributes are unknown until apply, as with the real provider, so this run
# applies (to the mock: nothing is created).
run "new_client_beside_a_granted_one" {
  variables {
    link_ids = { acme = "61" }
    new_clients = {
      initech = { partner_id = 225, title = "Initech: Demo CRM" }
    }
  }

  override_data {
    target = data.albato_connection_link.handed_out
    values = {
      partner_id    = 225
      title         = "Acme Corp: Demo CRM"
      token         = null
      link          = null
      status        = 1
      status_name   = "granted"
      credential_id = 248
      date_created  = "2026-03-02T09:30:00Z"
      issued_at     = 1772443800
      expires_at    = "2026-03-04T09:30:00Z"
      expired       = false
    }
  }

  assert {
    condition     = output.waiting == tolist(["initech"])
    error_message = "Only the new client should be waiting."
  }

  assert {
    condition     = sort(keys(output.links)) == tolist(["initech"])
    error_message = "Only the new client's link should be handed out."
  }

  assert {
    condition     = sort(keys(output.credential_ids)) == tolist(["acme"])
    error_message = "Only Acme's credential_id should be passed on."
  }

  assert {
    condition     = output.link_ids["initech"] == albato_connection_link.new["initech"].id
    error_message = "The new link's id should be passed on, for a later run's link_ids."
  }

  assert {
    condition     = albato_connection_link.new["initech"].regenerate_before == "6h"
    error_message = "A link should be regenerated 6 hours before it expires, so that none is handed out about to die."
  }
}
