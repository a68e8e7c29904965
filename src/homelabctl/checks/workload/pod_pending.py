from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.gpu._common import INSUFFICIENT_GPU_RE
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import (
    OWNED_WAITING_REASONS,
    all_statuses,
    container_label,
    event_lines,
    first_lines,
    owner_line,
    waiting,
    waiting_reason,
)
from homelabctl.k8s import conditions, pods
from homelabctl.k8s.pod_trouble import pending_pods
from homelabctl.model import Finding, Layer, Severity
from homelabctl.timeutil import parse_time, short_duration

GRACE = timedelta(minutes=2)
"""Younger than this, a pending pod is normally still being scheduled or pulled."""
CRITICAL_AFTER = timedelta(minutes=30)

_CREATING_EVENTS = (
    "FailedMount",
    "FailedAttachVolume",
    "FailedCreatePodSandBox",
    "FailedScheduling",
    "FailedCreatePodContainer",
    "NetworkNotReady",
)


@check(
    "pod-pending", layer=Layer.WORKLOAD, severity=Severity.WARNING, requires=[kinds.POD], uses=[kinds.EVENT]
)
def pod_pending(ctx: CheckContext) -> Iterator[Finding]:
    """Pod stuck Pending: not schedulable, or scheduled but its containers never get created.

    Reads ``status.phase``, the ``PodScheduled`` condition (the scheduler's own message, e.g.
    "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, ...")
    and the ``FailedScheduling`` events. For a scheduled pod stuck in ``ContainerCreating`` or
    ``PodInitializing`` it quotes the ``FailedMount``/``FailedAttachVolume``/``FailedCreatePodSandBox``
    events, which point at storage (CSI driver not registered on the node) or the CNI. Warning after two
    minutes, critical after thirty. Pods waiting on an image, a missing Secret or a crash loop are left to
    pod-image-pull, pod-config-error and pod-crashloop; pods waiting for a GPU to gpu-insufficient.

    Next step: ``kubectl describe pod -n NS POD`` and act on the scheduler's reasons (free resources, fix a
    node selector or toleration, bring a node back) or on the mount/sandbox event.
    """
    for pod in pending_pods(ctx.index):
        sched = pods.scheduling(pod)
        created = parse_time(pod.creation_timestamp)
        scheduled = conditions.condition(pod, "PodScheduled")
        evidence: list[str] = []
        if (scheduled is not None and scheduled.is_false) or not sched.node_name:
            message = scheduled.message if scheduled is not None else ""
            if INSUFFICIENT_GPU_RE.search(message):
                continue  # gpu-insufficient reports it, with who holds the GPUs
            if (scheduled is not None and scheduled.reason == "SchedulingGated") or sched.gated:
                continue  # held on purpose (Kueue and other gate controllers), not a scheduling failure
            since = parse_time(scheduled.last_transition_time if scheduled is not None else None) or created
            age = ctx.now - since if since else None
            if age is not None and age < GRACE:
                continue
            if scheduled is not None:
                evidence.append(
                    f"PodScheduled=False reason={scheduled.reason or '?'}: {message}".rstrip(": ")
                )
            else:
                evidence.append(
                    f"no PodScheduled condition: is scheduler {sched.scheduler_name or '?'} running?"
                )
            evidence.extend(event_lines(ctx.index, pod, ("FailedScheduling",), now=ctx.now, limit=2))
            evidence.append(owner_line(ctx.index, pod))
            quoted = f": {first_lines(message, lines=1, width=160)}" if message else ""
            text = (
                f"Pod {pod.namespace}/{pod.name} cannot be scheduled"
                + (f" (Pending {short_duration(age)})" if age is not None else "")
                + quoted
            )
            hint = (
                "Act on the scheduler's reasons: free or add the resource it lacks, fix the node selector, "
                "affinity or tolerations, or bring the tainted/NotReady node back; "
                f"`kubectl describe pod -n {pod.namespace} {pod.name}`"
            )
        else:
            statuses = all_statuses(pod)
            if any(waiting_reason(cs) in OWNED_WAITING_REASONS for cs, _ in statuses):
                continue
            started = parse_time(pods.pod_status(pod).start_time) or created
            age = ctx.now - started if started else None
            if age is not None and age < GRACE:
                continue
            for cs, is_init in statuses:
                reason = waiting_reason(cs)
                if reason:
                    msg = waiting(cs).get("message")
                    evidence.append(
                        f"{container_label(cs, is_init)}: waiting {reason}"
                        + (f": {first_lines(msg, lines=1)}" if msg else "")
                    )
            if not statuses:
                evidence.append(f"scheduled to {sched.node_name} but no container status reported yet")
            events = event_lines(ctx.index, pod, _CREATING_EVENTS, now=ctx.now)
            evidence.extend(events)
            evidence.append(owner_line(ctx.index, pod))
            text = (
                f"Pod {pod.namespace}/{pod.name} is scheduled to {sched.node_name} but its "
                f"containers have not started" + (f" after {short_duration(age)}" if age is not None else "")
            )
            hint = (
                f"`kubectl describe pod -n {pod.namespace} {pod.name}`: a FailedMount/FailedAttachVolume event "
                "points at the CSI driver on that node, FailedCreatePodSandBox at the CNI"
            )
        severity = Severity.CRITICAL if age is not None and age >= CRITICAL_AFTER else Severity.WARNING
        yield ctx.finding(pod, text, evidence=evidence, hint=hint, severity=severity)
