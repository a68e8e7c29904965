from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import (
    CRASHLOOP,
    all_statuses,
    container_label,
    describe_termination,
    last_terminated,
    owner_line,
    waiting_reason,
)
from homelabctl.k8s import pods
from homelabctl.k8s.pod_trouble import troubled_pods
from homelabctl.model import Finding, Layer, Severity
from homelabctl.timeutil import parse_time, short_duration

THRESHOLD = 5
RECENT = timedelta(hours=24)
"""A restart within this window makes the finding a warning: the container is still unstable."""


@check("pod-restarts", layer=Layer.WORKLOAD, severity=Severity.WARNING, requires=[kinds.POD])
def pod_restarts(ctx: CheckContext) -> Iterator[Finding]:
    """Running pod whose containers restarted many times.

    Reads ``restartCount`` and ``lastState.terminated`` of each container of running pods. Five or more
    restarts mean the container keeps dying even if it is up right now: an intermittent crash, a liveness
    probe that is too strict, a dependency that times out. Warning when the last restart was within a day,
    info when it is older (the restart count never goes down, so an old storm stays visible). Containers
    crash-looping right now are reported by pod-crashloop, OOM kills by pod-oomkilled.

    Next step: ``kubectl logs -n NS POD -c CONTAINER --previous`` and the pod's events; compare the restart
    times with node events to see whether a node problem caused them.
    """
    for pod in troubled_pods(ctx.index):
        if pods.phase(pod) != "Running":
            continue
        evidence: list[str] = []
        recent = False
        worst = 0
        worst_name = ""
        for cs, is_init in all_statuses(pod):
            restarts = int(cs.get("restartCount") or 0)
            term = last_terminated(cs)
            if restarts < THRESHOLD or waiting_reason(cs) == CRASHLOOP or term.get("reason") == "OOMKilled":
                continue
            finished = parse_time(term.get("finishedAt"))
            if finished is not None and ctx.now - finished <= RECENT:
                recent = True
            when = f", last restart {short_duration(ctx.now - finished)} ago" if finished else ""
            evidence.append(f"{container_label(cs, is_init)}: restartCount={restarts}{when}")
            if term:
                evidence.append(
                    f"{container_label(cs, is_init)} last terminated {describe_termination(term)}"
                )
            if restarts > worst:
                worst, worst_name = restarts, str(cs.get("name"))
        if not evidence:
            continue
        evidence.append(owner_line(ctx.index, pod))
        yield ctx.finding(
            pod,
            f"Pod {pod.namespace}/{pod.name} container {worst_name} has restarted {worst} times",
            evidence=evidence,
            hint=f"`kubectl logs -n {pod.namespace} {pod.name} -c {worst_name} --previous` and "
            f"`kubectl get events -n {pod.namespace} --field-selector involvedObject.name={pod.name}`",
            severity=Severity.WARNING if recent else Severity.INFO,
        )
