"""Cause rules: registered like checks, one file each under ``diagnose/rules/``, documented by their docstring.

A cause rule no longer decides *which* findings belong together — the dependency graph and the evidence
links do that for every finding alike. A rule adds what only knowledge of a mechanism gives: the sentence an
operator can act on, the exact fix and next steps, the object to change when it is not the one with the
finding, and, where the mechanism reaches further than the graph can see (a wrong kubelet path breaks the
CSI registration on *every* node), the extra objects it reaches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import msgspec

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.model import Finding, Layer
from homelabctl.registrybase import Documented, check_registration

RuleFunc = Callable[[RuleContext, Finding], "Explanation | None"]


class CauseRule(Documented, msgspec.Struct, frozen=True):
    """A registered cause rule: which findings it can read as a cause, and how it explains them."""

    id: str
    layer: Layer
    rank: int
    """0: names a specific mechanism; 1: generic propagation; 2: the fallback for what nothing explains."""
    causes: frozenset[str]
    func: RuleFunc


CAUSE_RULES: dict[str, CauseRule] = {}


def cause_rule(id: str, *, layer: Layer, rank: int, causes: Iterable[str]) -> Callable[[RuleFunc], RuleFunc]:
    def decorate(func: RuleFunc) -> RuleFunc:
        check_registration("cause rule", id, func, CAUSE_RULES)
        CAUSE_RULES[id] = CauseRule(id, layer, rank, frozenset(causes), func)
        return func

    return decorate


def all_cause_rules() -> list[CauseRule]:
    """Every cause rule, specific ones first (importing the rules package registers them)."""
    import homelabctl.diagnose.rules  # noqa: F401 - registers the rules

    return sorted(CAUSE_RULES.values(), key=lambda r: (r.rank, r.layer.order, r.id))
