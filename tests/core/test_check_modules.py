"""The static list of check modules (imported at start-up instead of a walk of the package) is current."""

from __future__ import annotations

import pkgutil

import homelabctl.checks as checks_package
from homelabctl.checks._modules import MODULES, discover
from homelabctl.checks.registry import REGISTRY, all_checks


def test_static_module_list_matches_the_package() -> None:
    walked = sorted(
        m.name
        for m in pkgutil.walk_packages(checks_package.__path__, prefix=checks_package.__name__ + ".")
        if not m.ispkg and not m.name.rsplit(".", 1)[-1].startswith("_") and not m.name.endswith(".registry")
    )
    assert MODULES == discover() == tuple(walked), "stale: run `python src/homelabctl/checks/_modules.py`"


def test_every_listed_module_registers_a_check() -> None:
    all_checks()
    registering = {spec.func.__module__ for spec in REGISTRY.values()}
    assert set(MODULES) <= registering, sorted(set(MODULES) - registering)
