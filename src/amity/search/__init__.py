"""Global search's index: one row per findable record, kept current by the services that change records."""
