# A connection link is imported by its sharing id.
terraform import albato_connection_link.example 61
