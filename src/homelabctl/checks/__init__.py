"""Cluster checks, one per module, registered on import. See :mod:`homelabctl.checks.registry`."""

from __future__ import annotations

import importlib
import pkgutil


def _import_all() -> None:
    for module in pkgutil.walk_packages(__path__, prefix=__name__ + "."):
        if not module.name.rsplit(".", 1)[-1].startswith("_") and not module.name.endswith(".registry"):
            importlib.import_module(module.name)


_import_all()
