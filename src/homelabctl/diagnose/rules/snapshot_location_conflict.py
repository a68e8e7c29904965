"""Cause rule ``snapshot-location-conflict``."""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import BACKS_UP
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import manager_of
from homelabctl.k8s import graphrefs, velero
from homelabctl.kube import pod_containers, pod_template_spec
from homelabctl.model import Finding, Layer, ObjectRef, Resource


@cause_rule("snapshot-location-conflict", layer=Layer.BACKUP, rank=0, causes={"velero-vsl-conflict"})
def snapshot_location_conflict(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """Ambiguous VolumeSnapshotLocations make every backup that snapshots volumes fail validation.

    With two locations for one provider and no default, Velero refuses the backup ("provider aws has more
    than one possible volume snapshot location"). The failing Schedules and the other location's findings
    are grouped under the conflict.
    """
    same = {f.object for f in ctx.by_check.get(cause.check, [])}
    impacted = ctx.propagate({cause.object} | same, (BACKS_UP,))
    return Explanation(impacted, cause.message, list(cause.evidence), conflict_steps(ctx, cause.object))


def _provider(vsl: Resource) -> str:
    return velero.snapshot_location(vsl).provider


def _keep(ctx: RuleContext, locations: list[Resource]) -> Resource:
    """The location to name as default: one a Schedule asks for, else one called ``default``, else the first."""
    wanted = {
        str(name)
        for s in ctx.index.all(kinds.VELERO_SCHEDULE)
        for name in graphrefs.schedule_locations(s).snapshot_locations
    }
    return min(locations, key=lambda v: (v.name not in wanted, v.name != "default", v.name))


def _velero(ctx: RuleContext, namespace: str | None) -> Resource | None:
    """The Velero server Deployment in the locations' namespace (the one whose container runs ``velero server``)."""
    for deploy in ctx.index.all(kinds.DEPLOYMENT):
        if deploy.namespace != namespace:
            continue
        for container in pod_containers(pod_template_spec(deploy), init=False):
            if "server" in [str(a) for a in container.get("args") or []] or deploy.name == "velero":
                return deploy
    return None


def conflict_steps(ctx: RuleContext, ref: ObjectRef) -> list[NextStep]:
    vsl = ctx.resource(ref)
    ns = ref.namespace or "velero"
    listing = NextStep(
        "list the locations and their providers",
        f"kubectl -n {ns} get volumesnapshotlocations -o custom-columns=NAME:.metadata.name,"
        "PROVIDER:.spec.provider,PHASE:.status.phase",
    )
    if vsl is None:
        return [listing]
    same = [
        v
        for v in ctx.index.all(kinds.VOLUME_SNAPSHOT_LOCATION)
        if v.namespace == vsl.namespace and _provider(v) == _provider(vsl)
    ]
    keep = _keep(ctx, same or [vsl])
    default = f"{_provider(keep)}:{keep.name}"
    steps = [listing]
    server = _velero(ctx, vsl.namespace)
    manager = manager_of(ctx.index, server) if server is not None else None
    if manager is not None and manager.reconcile is not None and manager.kind == "HelmRelease":
        steps.append(
            NextStep(
                f"name a default: set configuration.defaultVolumeSnapshotLocations: {default} in the "
                f"values of {manager} (in Git; or the one you use): its configuration now",
                f"kubectl -n {manager.namespace} get helmrelease {manager.name} "
                "-o jsonpath='{.spec.values.configuration}'",
            )
        )
        steps.append(NextStep(f"reconcile {manager} after the change", manager.reconcile))
    elif server is not None:
        containers = list(pod_containers(pod_template_spec(server), init=False))
        index = next((i for i, c in enumerate(containers) if c.get("name") == "velero"), 0)
        steps.append(
            NextStep(
                f"name a default on the Velero server {server.namespace}/{server.name} "
                f"(or the one you use instead of {keep.name})",
                f'kubectl -n {server.namespace} patch deployment {server.name} --type=json -p=\'[{{"op":'
                f'"add","path":"/spec/template/spec/containers/{index}/args/-","value":'
                f'"--default-volume-snapshot-locations={default}"}}]\'',
            )
        )
    for other in sorted(v.name for v in same if v.name != keep.name):
        steps.append(
            NextStep(
                f"or delete the location you do not use ({other}; remove it from Git too, or Flux "
                "puts it back)",
                f"kubectl -n {ns} delete volumesnapshotlocation {other}",
                dangerous=True,
            )
        )
    return steps
