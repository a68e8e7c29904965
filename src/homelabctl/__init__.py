"""homelabctl: operations for a K3s + Flux homelab, measured from the cluster and the repo."""

__version__ = "0.1.0"
