from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import (
    CRASHLOOP,
    all_statuses,
    container_label,
    describe_termination,
    event_lines,
    first_lines,
    last_terminated,
    memory_line,
    owner_line,
    waiting,
    waiting_reason,
)
from homelabctl.k8s.pod_trouble import troubled_pods
from homelabctl.model import Finding, Layer, Severity


@check(
    "pod-crashloop",
    layer=Layer.WORKLOAD,
    severity=Severity.CRITICAL,
    requires=[kinds.POD],
    uses=[kinds.EVENT],
)
def pod_crashloop(ctx: CheckContext) -> Iterator[Finding]:
    """Pod container in CrashLoopBackOff.

    Reads each container's (and init container's) ``state.waiting.reason``; for the ones in
    ``CrashLoopBackOff`` it quotes the restart count and ``lastState.terminated`` (reason, exit code with
    its usual meaning, the first lines of the termination message) plus the pod's ``BackOff`` events.
    The exit code and the termination message are usually the whole diagnosis: 137 is an OOM kill or a
    failed liveness probe, 127 a wrong entrypoint, 1 an application error that its log explains.

    Next step: ``kubectl logs -n NS POD -c CONTAINER --previous``; when several pods on the same node crash
    with timeouts, check that node's network first.
    """
    for pod in troubled_pods(ctx.index):
        crashing = [(cs, is_init) for cs, is_init in all_statuses(pod) if waiting_reason(cs) == CRASHLOOP]
        if not crashing:
            continue
        evidence: list[str] = []
        oom = False
        for cs, is_init in crashing:
            label = container_label(cs, is_init)
            evidence.append(
                f"{label}: restartCount={cs.get('restartCount', 0)}, "
                f"waiting CrashLoopBackOff: {first_lines(waiting(cs).get('message'), lines=1)}"
            )
            term = last_terminated(cs)
            if term:
                evidence.append(f"{label} last terminated {describe_termination(term)}")
                if term.get("reason") == "OOMKilled":
                    oom = True
                    evidence.append(memory_line(pod, str(cs.get("name")), label))
        evidence.extend(event_lines(ctx.index, pod, ("BackOff",), now=ctx.now))
        evidence.append(owner_line(ctx.index, pod))
        first = str(crashing[0][0].get("name"))
        names = ", ".join(str(cs.get("name")) for cs, _ in crashing)
        hint = f"`kubectl logs -n {pod.namespace} {pod.name} -c {first} --previous` shows why it exits"
        if oom:
            hint += "; it was OOMKilled: raise the container's memory limit or find the leak"
        yield ctx.finding(
            pod,
            f"Pod {pod.namespace}/{pod.name} is crash-looping ({names})",
            evidence=evidence,
            hint=hint,
        )
