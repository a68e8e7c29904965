"""The check registry. A check is a function, an id, a layer, a default severity and its docstring.

The docstring is the documentation: its first line is the title, the rest is rendered into docs/rules.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING

import msgspec

from homelabctl import kinds
from homelabctl.model import Finding, Layer, Lifecycle, Nature, ObjectRef, Resource, Severity
from homelabctl.registrybase import Documented, check_registration

if TYPE_CHECKING:
    from homelabctl.sources.base import ClusterState
    from homelabctl.sources.index import ClusterIndex

CheckFunc = Callable[["CheckContext"], Iterable[Finding]]

MAX_PODS_LISTED = 5
"""How many pods a finding's evidence names one by one; the rest are counted (:func:`first_pod_lines`)."""


def first_pod_lines(lines: Iterable[str], total: int, limit: int = MAX_PODS_LISTED) -> list[str]:
    """The first ``limit`` of ``lines`` (one per pod, ``total`` of them; only those are formatted), then
    ``and N more pod(s)`` for the rest."""
    shown = list(islice(lines, limit))
    if total > limit:
        shown.append(f"and {total - limit} more pod(s)")
    return shown


class CheckSpec(Documented, msgspec.Struct, frozen=True):
    id: str
    layer: Layer
    severity: Severity
    func: CheckFunc
    requires: tuple[str, ...] = ()
    """Group-kinds that must all be readable; otherwise the check is not evaluated."""
    any_of: tuple[str, ...] = ()
    """At least one of these group-kinds must be readable."""
    uses: tuple[str, ...] = ()
    """Group-kinds read when available, without which the check still means something."""
    nature: Nature = Nature.STATE
    """State checks need objects an API server returned; configuration checks also run on manifests."""
    areas: tuple[str, ...] = ()
    """Score areas (``scores.AREA_LABELS``) that count this check by id, beyond those its layer feeds."""
    lifecycle: Lifecycle = Lifecycle.STABLE

    @property
    def kinds(self) -> tuple[str, ...]:
        return self.requires + self.any_of + self.uses


REGISTRY: dict[str, CheckSpec] = {}


def check(
    id: str,
    *,
    layer: Layer,
    severity: Severity,
    requires: Sequence[str] = (),
    any_of: Sequence[str] = (),
    uses: Sequence[str] = (),
    nature: Nature = Nature.STATE,
    areas: Sequence[str] = (),
    lifecycle: Lifecycle = Lifecycle.STABLE,
) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check. Ids are kebab-case and stable: users put them in ignore lists.

    ``nature`` defaults to state: a check that judges only spec and metadata says ``Nature.CONFIGURATION``
    so it also runs on manifests that were never applied."""

    def decorate(func: CheckFunc) -> CheckFunc:
        check_registration("check", id, func, REGISTRY)
        REGISTRY[id] = CheckSpec(
            id,
            layer,
            severity,
            func,
            tuple(requires),
            tuple(any_of),
            tuple(uses),
            nature,
            tuple(areas),
            lifecycle,
        )
        return func

    return decorate


class CheckContext:
    """What a check function receives: the cluster state, the reference time and a finding factory."""

    def __init__(self, state: ClusterState, spec: CheckSpec) -> None:
        self.state = state
        self.spec = spec
        self.index: ClusterIndex = state.index
        self.now: datetime = state.reference_time

    def readable(self, gk: str) -> bool:
        return self.state.availability(gk).readable

    def node(self, name: str) -> Resource | ObjectRef:
        """The Node ``name`` as captured, else its reference: a finding about a node names it either way."""
        found = self.index.get(kinds.NODE, None, name)
        return found if found is not None else ObjectRef("Node", None, name)

    def finding(
        self,
        obj: Resource | ObjectRef,
        message: str,
        *,
        evidence: Iterable[str] = (),
        hint: str = "",
        severity: Severity | None = None,
    ) -> Finding:
        ref = obj.ref if isinstance(obj, Resource) else obj
        return Finding(
            check=self.spec.id,
            layer=self.spec.layer,
            severity=severity or self.spec.severity,
            object=ref,
            message=message,
            evidence=tuple(e for e in evidence if e),
            hint=hint,
        )


def all_checks() -> list[CheckSpec]:
    """Every registered check, in layer order then id. Importing the package registers them."""
    import homelabctl.checks  # noqa: F401  (registration side effect)

    return sorted(REGISTRY.values(), key=lambda spec: (spec.layer.order, spec.id))
