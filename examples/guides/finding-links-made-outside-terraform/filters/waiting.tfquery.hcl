# The links still waiting for their end user, whatever the app: at most 20,
# read from as few pages as that takes.
list "albato_connection_link" "waiting" {
  provider = albato
  limit    = 20

  config {
    status_name = "waiting" # or "granted", "waiting_oauth"
  }
}
