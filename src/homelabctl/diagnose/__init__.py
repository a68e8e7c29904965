"""Root-cause diagnosis: findings + dependency graph → causes with their symptoms grouped under them."""

from homelabctl.diagnose.model import NextStep, RootCause

__all__ = ["NextStep", "RootCause"]
