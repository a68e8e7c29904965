from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import limit_lines
from homelabctl.k8s import refusals
from homelabctl.model import Finding, Layer, Resource, Severity

MAX_CONTROLLERS = 5
SERVICE_ACCOUNT = "ServiceAccount"


@check(
    "serviceaccount-missing",
    layer=Layer.WORKLOAD,
    severity=Severity.CRITICAL,
    any_of=[kinds.EVENT, kinds.REPLICASET],
    uses=[kinds.JOB, kinds.CRONJOB, kinds.STATEFULSET, kinds.DAEMONSET, SERVICE_ACCOUNT],
)
def serviceaccount_missing(ctx: CheckContext) -> Iterator[Finding]:
    """Workload whose pods cannot be created because its ServiceAccount does not exist.

    Reads ``FailedCreate`` Warning events (and the ``ReplicaFailure`` condition of ReplicaSets) of Jobs,
    ReplicaSets, StatefulSets and DaemonSets for ``error looking up service account NS/NAME:
    serviceaccount "NAME" not found``, keeping controllers that still lack pods. The finding is on the
    top-level controller (a CronJob, not each of its Jobs; a Deployment, not its ReplicaSet). When
    ServiceAccounts were read and the account exists now, the refusal is history and is not reported.

    Why it matters: the API server refuses the pod, so no pod exists to show an error: a Deployment stays
    at zero replicas, and each run of a CronJob hangs without a pod (no backup, no cleanup) until
    its deadline.

    Next step: create the ServiceAccount (``kubectl -n NS create serviceaccount NAME``, or restore
    ``serviceAccount.create`` in the chart values), or point ``serviceAccountName`` in the pod template at
    an account that exists.
    """
    sa_readable = ctx.readable(SERVICE_ACCOUNT)
    found: dict[tuple[str, str | None, str], tuple[Resource, tuple[str, str], list[str]]] = {}
    for refused in refusals.refused_controllers(ctx.index):
        for message in refused.messages:
            account = refusals.missing_service_account(message)
            if account is None:
                continue
            if sa_readable and ctx.index.get(SERVICE_ACCOUNT, account[0], account[1]) is not None:
                break
            top = refused.top
            entry = found.setdefault((top.kind, top.namespace, top.name), (top, account, []))
            entry[2].append(f"{refused.controller.kind} {refused.controller.name}: {message}")
            break
    for top, (namespace, name), lines in (
        found[k] for k in sorted(found, key=lambda k: (k[1] or "", k[0], k[2]))
    ):
        evidence = [f"ServiceAccount {namespace}/{name}: not found"]
        evidence.extend(limit_lines(sorted(lines, reverse=True), MAX_CONTROLLERS, "more"))
        yield ctx.finding(
            top,
            f"{top.kind} {top.namespace}/{top.name} cannot create pods: its ServiceAccount {namespace}/{name} "
            "does not exist",
            evidence=evidence,
            hint=(
                f"Create it (`kubectl -n {namespace} create serviceaccount {name}`, or re-enable "
                f"serviceAccount.create in the chart values), or set serviceAccountName in the pod template of "
                f"{top.kind} {top.name} to an account that exists: `kubectl -n {top.namespace} get "
                f"{top.kind.lower()} {top.name} -o yaml | grep -i serviceAccount`"
            ),
        )
