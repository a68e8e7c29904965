"""Root-cause diagnosis: findings + dependency graph + evidence links → causes with their symptoms and chains."""

from homelabctl.diagnose.model import ChainLink, NextStep, RootCause
from homelabctl.diagnose.registry import CauseRule, all_cause_rules

__all__ = ["CauseRule", "ChainLink", "NextStep", "RootCause", "all_cause_rules"]
