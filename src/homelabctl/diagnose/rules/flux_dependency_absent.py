"""Cause rule ``flux-dependency-absent``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import DEPENDS
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import hint_steps
from homelabctl.model import Finding, Layer

_FLUX_NOUN = {"Kustomization": "kustomization", "HelmRelease": "helmrelease"}


@cause_rule("flux-dependency-absent", layer=Layer.PLATFORM, rank=0, causes={"flux-dependency-missing"})
def flux_dependency_absent(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Kustomization or HelmRelease whose ``dependsOn`` names an object that does not exist is the cause of
    its own wait and of the wait of everything that depends on it in turn: nothing can make the dependency
    Ready, so the entry is what to change. The rule follows the ``dependsOn`` edges downstream only; the
    objects the waiting Kustomization applied keep their last applied revision and are not its symptoms."""
    obj = cause.object
    noun = _FLUX_NOUN.get(obj.kind)
    if noun is None:
        return None
    impacted = ctx.propagate({obj}, {DEPENDS})
    steps = [
        NextStep(
            f"see which {obj.kind}s exist (the dependency's new name)",
            f"flux get {noun}s -A",
        ),
        NextStep(
            f"read the dependsOn of {obj.kind} {obj.name}",
            f"kubectl -n {obj.namespace} get {noun} {obj.name} -o jsonpath='{{.spec.dependsOn}}'",
        ),
        *hint_steps(cause.hint),
    ]
    return Explanation(impacted, cause.message, list(cause.evidence), steps)
