"""Cause rule ``config-file-breaks-workload``."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.evidence import snippet
from homelabctl.diagnose.graph import MOUNTS
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.natures import never_symptoms
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import hint_steps
from homelabctl.k8s import config_files
from homelabctl.model import Finding, Layer, ObjectRef


@cause_rule("config-file-breaks-workload", layer=Layer.WORKLOAD, rank=0, causes={"config-file-rejected"})
def config_file_breaks_workload(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A ConfigMap key that a crashing container quotes by its mounted path explains that container's pods, their
    workload and everything the workload serves (cluster DNS, routes, what looks names up through it). The pods
    are linked by their own words (the ``mounts`` edge's provenance). The cause is shown at the layer of what
    the workload is: the lowest layer among its own findings of failure (a broken CoreDNS is the network layer's cause)."""
    cm = cause.object
    rejected = [r for r in config_files.rejected_files(ctx.index) if r.config_map == cm]
    if not rejected:
        return None
    consumers: set[ObjectRef] = set()
    for r in rejected:
        ctx.graph.add(
            cm, MOUNTS, r.pod, f'{r.key} at {r.path}; container {r.container}: "{snippet(r.line, r.path)}"'
        )
        consumers |= ctx.workload_start(r.pod)
    unfailing = never_symptoms()
    layers = [f.layer for ref in consumers for f in ctx.by_object.get(ref, ()) if f.check not in unfailing]
    layer = min(layers, key=lambda item: item.order) if layers else None
    first = rejected[0]
    steps = [
        NextStep(
            f"read the whole error of container {first.container}",
            f"kubectl -n {first.pod.namespace} logs {first.pod.name} -c {first.container} --previous",
        ),
        NextStep(
            f"read key {first.key} of ConfigMap {cm.name}",
            f"kubectl -n {cm.namespace} get configmap {cm.name} -o yaml",
        ),
        *hint_steps(cause.hint),
    ]
    return Explanation(
        ctx.propagate(consumers | {cm}, GENERIC_EDGES),
        cause.message,
        list(cause.evidence),
        steps,
        layer=layer if layer is not None and layer is not cause.layer else None,
    )
