from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import admission_denials, refusals
from homelabctl.model import Finding, Layer, Lifecycle, ObjectRef, Resource, Severity

MAX_WORKLOADS = 5
MAX_REASONS = 3


@check(
    "admission-policy-refuses-pods",
    layer=Layer.SECURITY,
    severity=Severity.CRITICAL,
    any_of=[kinds.EVENT, kinds.REPLICASET],
    uses=[
        kinds.JOB,
        kinds.STATEFULSET,
        kinds.DAEMONSET,
        kinds.KYVERNO_CLUSTER_POLICY,
        kinds.KYVERNO_POLICY,
        kinds.VALIDATING_WEBHOOK,
    ],
    lifecycle=Lifecycle.PREVIEW,
)
def admission_policy_refuses_pods(ctx: CheckContext) -> Iterator[Finding]:
    """Admission policy that refuses the pods of a controller, which stays without them.

    Reads ``FailedCreate`` Warning events of ReplicaSets, Jobs, StatefulSets and DaemonSets and the
    ``ReplicaFailure`` condition of ReplicaSets for ``admission webhook "NAME" denied the request``,
    keeping the controllers that still lack pods. For Kyverno the message lists the policies and rules
    that blocked the pod (``blocked due to the following policies``): the finding is on each such
    ClusterPolicy (or Policy), with its ``validationFailureAction``; for other webhooks (Gatekeeper, a
    custom one) it is on the ValidatingWebhookConfiguration that holds the webhook. A webhook that could
    not be called is another check (``admission-webhook-unavailable``).

    Why it matters: a policy enforced on workloads that do not satisfy it yet refuses their new pods at
    create time: pods already running stay, so nothing looks wrong until an update or a restart deletes
    them, and then the controller cannot create replacements. No pod exists to crash or to show an event.

    Next step: make the pods satisfy the rule the message names, or set the policy to ``Audit`` until
    they do (``kubectl get clusterpolicy NAME -o yaml``; the policy report lists the other offenders:
    ``kubectl get policyreport -A``).
    """
    by_object: dict[ObjectRef, tuple[Resource | ObjectRef, list[str], list[str]]] = {}
    for refused in refusals.refused_controllers(ctx.index):
        for message in refused.messages:
            denial = admission_denials.denial(message)
            if denial is None:
                continue
            top = refused.top
            workload = f"{top.kind} {top.namespace}/{top.name}"
            for target in admission_denials.refusing_objects(ctx.index, denial, refused.controller.namespace):
                ref = target.ref if isinstance(target, Resource) else target
                _, workloads, reasons = by_object.setdefault(ref, (target, [], []))
                if workload not in workloads:
                    workloads.append(workload)
                verdict = next((v for v in denial.policies if v.policy.rpartition("/")[2] == ref.name), None)
                said = (
                    "; ".join(f"rule {rule}: {text}" for rule, text in verdict.rules)
                    if verdict is not None and verdict.rules
                    else denial.reason
                )
                line = f'webhook "{denial.webhook}" refused {workload}: {said}'[:400]
                if len(reasons) < MAX_REASONS and line not in reasons:
                    reasons.append(line)
            break
    for ref, (target, workloads, reasons) in sorted(
        by_object.items(), key=lambda kv: (kv[0].kind, kv[0].namespace or "", kv[0].name)
    ):
        evidence = list(reasons)
        if isinstance(target, Resource) and ref.kind in ("ClusterPolicy", "Policy"):
            action = admission_denials.failure_action(target)
            if action:
                evidence.append(f"spec.validationFailureAction: {action}")
        shown = ", ".join(workloads[:MAX_WORKLOADS]) + (
            f" and {len(workloads) - MAX_WORKLOADS} more" if len(workloads) > MAX_WORKLOADS else ""
        )
        where = f"{ref.namespace}/{ref.name}" if ref.namespace else ref.name
        yield ctx.finding(
            target,
            f"{ref.kind} {where} refuses the pods of {len(workloads)} workload(s), which cannot start: {shown}",
            evidence=evidence,
            hint=(
                f"Make the pods satisfy the rule, or set the policy to Audit until they do: kubectl get "
                f"{ref.kind.lower()} {ref.name}{f' -n {ref.namespace}' if ref.namespace else ''} -o yaml"
            ),
        )
