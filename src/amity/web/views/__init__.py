"""The web UI's views: each calls amity.core's selectors and services, nothing else."""
