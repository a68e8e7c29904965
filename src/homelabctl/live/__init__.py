"""Live clusters: read the Kubernetes API, capture redacted snapshots, serve snapshots as a read-only API."""
