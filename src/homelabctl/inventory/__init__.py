"""homelab.yaml: the inventory model, its JSON Schema, loading with line numbers, init and check."""
