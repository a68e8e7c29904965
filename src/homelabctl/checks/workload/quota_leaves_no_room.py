from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s.quota_room import no_room
from homelabctl.model import Finding, Layer, Lifecycle, Severity


@check(
    "quota-leaves-no-room",
    layer=Layer.WORKLOAD,
    severity=Severity.CRITICAL,
    requires=[kinds.RESOURCE_QUOTA],
    any_of=[kinds.STATEFULSET, kinds.REPLICASET, kinds.DAEMONSET],
    lifecycle=Lifecycle.PREVIEW,
)
def quota_leaves_no_room(ctx: CheckContext) -> Iterator[Finding]:
    """A ResourceQuota has no room for the pod a controller is short of.

    Reads each StatefulSet, ReplicaSet and DaemonSet that has fewer pods than it wants (``status.replicas``
    below ``spec.replicas``; scheduled below desired), what one more pod of its template asks for (the
    containers' requests and limits summed, or the largest init container's, as the API server counts them),
    and the ResourceQuotas of its namespace (``status.used`` and ``status.hard``). When one more pod would take
    a quota past its hard limit, the API server refuses to create it: the controller says so only in an
    Event (``exceeded quota``), which lives an hour, and a StatefulSet or a DaemonSet keeps no condition
    about it. Quotas with scopes, and templates that leave unset a compute resource the quota counts, are not
    judged.

    Next step: raise the quota's hard limit, free what other pods of the namespace use, or lower the
    controller's requests or limits.
    """
    for refusal in no_room(ctx.index):
        quota, workload = refusal.quota, refusal.workload
        yield ctx.finding(
            quota,
            f"ResourceQuota {quota.namespace}/{quota.name} has no room for the pod {workload.kind} "
            f"{workload.namespace}/{workload.name} is short of: {refusal.resource} {refusal.used} used + "
            f"{refusal.asked} asked > {refusal.hard}",
            evidence=[
                f"ResourceQuota {quota.namespace}/{quota.name} status: {refusal.resource} used {refusal.used} "
                f"of {refusal.hard}",
                f"{workload.kind} {workload.namespace}/{workload.name}: one more pod asks {refusal.resource} "
                f"{refusal.asked}; it has {refusal.pods}",
            ],
            hint=f"Raise {refusal.resource} in ResourceQuota {quota.namespace}/{quota.name} (kubectl edit "
            f"resourcequota {quota.name} -n {quota.namespace}), or lower what {workload.kind} "
            f"{workload.namespace}/{workload.name} asks for",
        )
