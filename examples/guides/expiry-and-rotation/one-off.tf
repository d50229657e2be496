# A link that must not outlive its 48 hours: once it has expired unused it
# stays expired (expired = true), and no plan regenerates it. Hand out a new
# one on purpose by changing regenerate_triggers.
resource "albato_connection_link" "trial" {
  partner_id = 226
  title      = "Initech: 48-hour trial of Demo Mailer"

  regenerate_when_expired = false

  regenerate_triggers = {
    reissued = "never"
  }
}
