"""Cluster checks, one per module, registered on import. See :mod:`homelabctl.checks.registry`."""

from __future__ import annotations

import importlib

from homelabctl.checks._modules import MODULES


def _import_all() -> None:
    # a static list (checks/_modules.py), not a walk of the package on disk: start-up time users wait for
    for name in MODULES:
        importlib.import_module(name)


_import_all()
