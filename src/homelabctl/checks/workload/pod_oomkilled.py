from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import (
    CRASHLOOP,
    all_statuses,
    container_label,
    current_terminated,
    last_terminated,
    memory_line,
    owner_line,
    waiting_reason,
)
from homelabctl.k8s.pod_trouble import troubled_pods
from homelabctl.model import Finding, Layer, Severity
from homelabctl.timeutil import parse_time, short_duration

STALE = timedelta(days=7)
"""An OOM kill older than this is history: the finding drops to info."""


@check("pod-oomkilled", layer=Layer.WORKLOAD, severity=Severity.WARNING, requires=[kinds.POD])
def pod_oomkilled(ctx: CheckContext) -> Iterator[Finding]:
    """Container was OOMKilled (hit its memory limit).

    Reads ``lastState.terminated.reason`` (and ``state.terminated.reason`` for finished pods) and the
    container's memory request and limit. An OOM kill means the limit is below what the process needs at
    peak, or the node ran out of memory; either way it restarts and loses in-memory state. Warning, info
    when the kill is more than a week old. Containers crash-looping on OOM right now are reported by
    pod-crashloop.

    Next step: compare usage with the limit (``kubectl top pod -n NS POD --containers``) and raise
    ``resources.limits.memory`` in the chart values, or find what grows.
    """
    for pod in troubled_pods(ctx.index):
        evidence: list[str] = []
        recent = False
        killed: list[str] = []
        for cs, is_init in all_statuses(pod):
            if waiting_reason(cs) == CRASHLOOP:
                continue
            term = next(
                (t for t in (current_terminated(cs), last_terminated(cs)) if t.get("reason") == "OOMKilled"),
                None,
            )
            if term is None:
                continue
            name = str(cs.get("name"))
            killed.append(name)
            finished = parse_time(term.get("finishedAt"))
            if finished is None or ctx.now - finished <= STALE:
                recent = True
            when = f" {short_duration(ctx.now - finished)} ago" if finished else ""
            evidence.append(
                f"{container_label(cs, is_init)}: OOMKilled{when} (exitCode={term.get('exitCode', '?')}, "
                f"restartCount={cs.get('restartCount', 0)})"
            )
            evidence.append(memory_line(pod, name, container_label(cs, is_init)))
        if not killed:
            continue
        evidence.append(owner_line(ctx.index, pod))
        yield ctx.finding(
            pod,
            f"Pod {pod.namespace}/{pod.name} container {killed[0]} was OOMKilled",
            evidence=evidence,
            hint=f"`kubectl top pod -n {pod.namespace} {pod.name} --containers`, then raise "
            f"resources.limits.memory for {killed[0]} or find what grows",
            severity=Severity.WARNING if recent else Severity.INFO,
        )
