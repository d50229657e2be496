# The links were made through https://api.albato.com with a token since
# rotated; the account now answers at a white-label host. Both are the same
# account, so its links are still managed here: list what changed, as the
# plan's error showed it (a URL, or a token's fingerprint, never the token).
provider "albato" {
  api_url = "https://api.partner.example.com"

  same_account_as = [
    "https://api.albato.com", # the API URL the links were made at
    "1a2b3c4d5e6f7a8b",       # the fingerprint of the token they were made with
  ]
}
