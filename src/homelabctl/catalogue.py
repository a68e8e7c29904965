"""One catalogue of every id homelabctl reports under: cluster checks, scan rules and cause rules.

Each entry says what registry the id belongs to, its layer, its nature (does it judge state, which only
an applied object has, or configuration, which a manifest has too), the score areas that count it and its
lifecycle. Scores and the check engine read it instead of lists of strings; :func:`validate` refuses an
id that names nothing (a score area listing a check that does not exist, a cause rule promoting an unknown
check) and runs when the catalogue is first built.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import cache
from typing import Literal

import msgspec

from homelabctl.model import Layer, Lifecycle, Nature

Registry = Literal["check", "scan", "cause"]

SCORE_AREAS = (
    "cluster_health",
    "service_availability",
    "networking",
    "gitops",
    "storage",
    "backup",
    "monitoring",
    "security",
    "resilience",
)
LAYER_AREAS: dict[Layer, tuple[str, ...]] = {
    Layer.NETWORK: ("networking",),
    Layer.NODE: ("cluster_health",),
    Layer.STORAGE: ("storage",),
    Layer.PLATFORM: ("gitops", "networking"),
    Layer.WORKLOAD: ("service_availability",),
    Layer.GPU: (),
    Layer.SECURITY: ("security",),
    Layer.BACKUP: ("backup",),
    Layer.MONITORING: ("monitoring",),
}
"""Areas whose scores a finding in the layer can lower (see ``scores``)."""


class Entry(msgspec.Struct, frozen=True):
    registry: Registry
    id: str
    layer: Layer
    nature: Nature
    areas: tuple[str, ...]
    """Score areas: those the layer feeds plus those that count the id by name (resilience)."""
    lifecycle: Lifecycle
    title: str
    causes: tuple[str, ...] = ()
    """For cause rules: the check ids whose findings they can promote to a root cause."""

    @property
    def key(self) -> tuple[Registry, str]:
        return self.registry, self.id


class CatalogueError(ValueError):
    pass


def _cause_rules() -> list[tuple[str, Layer, tuple[str, ...], str]]:
    """(id, layer, causes, title) of every cause rule, from whichever registry the diagnosis package has
    (``all_cause_rules`` of the per-file rules package, else the older ``all_rules``)."""
    module = importlib.import_module("homelabctl.diagnose.rules")
    lister = getattr(module, "all_cause_rules", None) or module.all_rules
    return [
        (str(spec.id), spec.layer, tuple(sorted(getattr(spec, "causes", ()))), str(spec.title))
        for spec in lister()
    ]


def _build() -> list[Entry]:
    from homelabctl.checks.registry import all_checks
    from homelabctl.scan.registry import all_rules as all_scan_rules

    entries: list[Entry] = []
    for spec in all_checks():
        areas = tuple(dict.fromkeys((*LAYER_AREAS[spec.layer], *spec.areas)))
        entries.append(Entry("check", spec.id, spec.layer, spec.nature, areas, spec.lifecycle, spec.title))
    for rule in all_scan_rules():
        entries.append(
            Entry(
                "scan",
                rule.id,
                rule.layer,
                Nature.CONFIGURATION,
                LAYER_AREAS[rule.layer],
                Lifecycle.STABLE,
                rule.title,
            )
        )
    for id_, layer, causes, title in _cause_rules():
        entries.append(Entry("cause", id_, layer, Nature.STATE, (), Lifecycle.STABLE, title, causes))
    validate(entries)
    return entries


def validate(entries: Iterable[Entry]) -> None:
    """Unique (registry, id) keys, known score areas, cause rules that promote existing checks."""
    seen: set[tuple[Registry, str]] = set()
    entries = list(entries)
    checks = {e.id for e in entries if e.registry == "check"}
    for entry in entries:
        if entry.key in seen:
            raise CatalogueError(f"duplicate {entry.registry} id {entry.id!r}")
        seen.add(entry.key)
        unknown = [a for a in entry.areas if a not in SCORE_AREAS]
        if unknown:
            raise CatalogueError(f"{entry.registry} {entry.id!r} names unknown score areas {unknown}")
        missing = [c for c in entry.causes if c not in checks]
        if missing:
            raise CatalogueError(f"cause rule {entry.id!r} promotes unknown checks {missing}")


@cache
def catalogue() -> tuple[Entry, ...]:
    return tuple(_build())


def entry(registry: Registry, id_: str) -> Entry:
    for found in catalogue():
        if found.registry == registry and found.id == id_:
            return found
    raise KeyError(f"unknown {registry} id {id_!r}")


def ids(registry: Registry) -> frozenset[str]:
    return frozenset(e.id for e in catalogue() if e.registry == registry)


def checks_in_area(area: str) -> frozenset[str]:
    """Check ids that count towards ``area`` by name (not only through their layer)."""
    if area not in SCORE_AREAS:
        raise KeyError(f"unknown score area {area!r}")
    from homelabctl.checks.registry import all_checks

    return frozenset(spec.id for spec in all_checks() if area in spec.areas)
