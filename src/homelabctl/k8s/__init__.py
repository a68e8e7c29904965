"""Readings of references between Kubernetes objects and the world outside the cluster (see :mod:`.refs`)."""
