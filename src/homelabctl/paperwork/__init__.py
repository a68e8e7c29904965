"""Documents generated from homelab.yaml and the cluster: living docs, failure domains, handoffs."""
