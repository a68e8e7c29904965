"""Cause rule ``datastore-fails-writes``."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.graph import STORES_STATE
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import hint_steps
from homelabctl.k8s import datastore_errors
from homelabctl.model import Finding, Layer, ObjectRef


@cause_rule("datastore-fails-writes", layer=Layer.NODE, rank=0, causes={"control-plane-datastore-slow"})
def datastore_fails_writes(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """The API server's datastore failing writes explains the controllers that quote its errors, on whatever
    node they run, and what depends on them: their workloads, Services and routes. Only the pods whose own
    words name an etcd error (the provenance of the ``datastore`` edge): the others write in time."""
    start: set[ObjectRef] = set()
    quoting: set[ObjectRef] = set()
    for error in datastore_errors.datastore_errors(ctx.index, ctx.state.reference_time):
        quoting.add(error.pod)
        ctx.graph.add(
            cause.object,
            STORES_STATE,
            error.pod,
            f'pod {error.pod.namespace}/{error.pod.name}: "{error.line}"',
        )
        start |= ctx.workload_start(error.pod)
    if not start:
        return None
    return Explanation(
        ctx.propagate(start, GENERIC_EDGES),
        cause.message,
        list(cause.evidence),
        hint_steps(cause.hint),
        restarted_by=frozenset(quoting),
    )
