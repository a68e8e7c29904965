"""Monitoring layer: is there anything watching the cluster at all."""
