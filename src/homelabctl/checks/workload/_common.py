"""Readings shared by the workload checks: container states, termination summaries, events, owners.

The pod checks split a pod's problems between them by container waiting reason, so that one broken pod
gives one finding per cause and not the same failure under three check ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from homelabctl.k8s import events as k8s_events
from homelabctl.k8s import pods as k8s_pods
from homelabctl.k8s.memo import remembered

# re-exported: the pod checks split a pod's problems by these reasons
from homelabctl.knowledge.container_states import CONFIG_ERROR_REASONS as CONFIG_ERROR_REASONS
from homelabctl.knowledge.container_states import CRASHLOOP as CRASHLOOP
from homelabctl.knowledge.container_states import IMAGE_PULL_REASONS as IMAGE_PULL_REASONS
from homelabctl.knowledge.container_states import OWNED_WAITING_REASONS as OWNED_WAITING_REASONS
from homelabctl.kube import container_statuses, node_ready_status, pod_node
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex
from homelabctl.timeutil import parse_time, short_duration

MAX_MESSAGE_LINES = 3
MAX_LINE_WIDTH = 240


def first_lines(text: object, lines: int = MAX_MESSAGE_LINES, width: int = MAX_LINE_WIDTH) -> str:
    """The first non-empty lines of a (termination, event) message, joined with `` | `` and clipped."""
    if not text:
        return ""
    kept = [ln.strip() for ln in str(text).splitlines() if ln.strip()][:lines]
    joined = " | ".join(ln if len(ln) <= width else ln[: width - 1] + "…" for ln in kept)
    more = len([ln for ln in str(text).splitlines() if ln.strip()]) > lines
    return joined + (" | …" if more else "")


def all_statuses(pod: Resource) -> tuple[tuple[Mapping[str, Any], bool], ...]:
    """Container statuses with an ``is_init`` flag, init containers first (the order the kubelet runs them).
    Read once per pod and run (k8s.memo): a dozen checks read them."""
    return remembered("all_statuses", pod.status, lambda: _all_statuses(pod))


def _all_statuses(pod: Resource) -> tuple[tuple[Mapping[str, Any], bool], ...]:
    return tuple(
        [(cs, True) for cs in container_statuses(pod, init=True)]
        + [(cs, False) for cs in container_statuses(pod)]
    )


def waiting(cs: Mapping[str, Any]) -> Mapping[str, Any]:
    state: Mapping[str, Any] = cs.get("state") or {}
    found: Mapping[str, Any] = state.get("waiting") or {}
    return found


def waiting_reason(cs: Mapping[str, Any]) -> str:
    return str(waiting(cs).get("reason") or "")


def last_terminated(cs: Mapping[str, Any]) -> Mapping[str, Any]:
    last: Mapping[str, Any] = cs.get("lastState") or {}
    found: Mapping[str, Any] = last.get("terminated") or {}
    return found


def current_terminated(cs: Mapping[str, Any]) -> Mapping[str, Any]:
    state: Mapping[str, Any] = cs.get("state") or {}
    found: Mapping[str, Any] = state.get("terminated") or {}
    return found


def container_label(cs: Mapping[str, Any], is_init: bool) -> str:
    return f"init container {cs.get('name')}" if is_init else f"container {cs.get('name')}"


def container_spec(pod: Resource, name: str) -> k8s_pods.Container | None:
    """The spec of the (init) container ``name``; None when the pod spec has none of that name."""
    return k8s_pods.container(k8s_pods.pod_spec(pod), name)


def container_image(pod: Resource, cs: Mapping[str, Any]) -> str:
    """The image a container status's container asks for: the spec's, else the status's (the resolved one)."""
    spec = container_spec(pod, str(cs.get("name")))
    return (spec.image if spec is not None else "") or str(cs.get("image") or "")


EXIT_CODE_MEANING = {
    1: "application error",
    2: "misuse of shell builtin / bad arguments",
    126: "command not executable",
    127: "command not found (wrong entrypoint or missing binary)",
    128: "invalid exit argument",
    134: "SIGABRT (abort)",
    137: "SIGKILL (out of memory, or killed after a failed liveness probe)",
    139: "SIGSEGV (segmentation fault)",
    143: "SIGTERM (asked to stop)",
}


def describe_termination(term: Mapping[str, Any]) -> str:
    """``reason=Error exitCode=1 (application error) finishedAt=...: first lines of the message``."""
    if not term:
        return ""
    parts = [f"reason={term.get('reason') or '?'}"]
    code = term.get("exitCode")
    if code is not None:
        meaning = EXIT_CODE_MEANING.get(int(code)) if str(code).lstrip("-").isdigit() else None
        parts.append(f"exitCode={code}" + (f" ({meaning})" if meaning else ""))
    if term.get("signal"):
        parts.append(f"signal={term['signal']}")
    if term.get("finishedAt"):
        parts.append(f"finishedAt={term['finishedAt']}")
    text = " ".join(parts)
    message = first_lines(term.get("message"))
    return f"{text}: {message}" if message else text


def event_lines(
    index: ClusterIndex,
    obj: Resource,
    reasons: Iterable[str] | None = None,
    *,
    limit: int = 3,
    now: datetime | None = None,
) -> list[str]:
    """The object's events (optionally of some reasons), newest first, as ``Type Reason (xN, age ago): msg``."""
    wanted = set(reasons) if reasons is not None else None
    found = [k8s_events.event(e) for e in index.events_for(obj)]
    found = [e for e in found if wanted is None or e.reason in wanted]
    found.sort(key=lambda e: e.last_seen, reverse=True)
    lines = []
    for event in found[:limit]:
        when = ""
        stamp = parse_time(event.last_seen)
        if now is not None and stamp is not None:
            when = f", last {short_duration(now - stamp)} ago"
        lines.append(
            f"event {event.type} {event.reason or '?'} (x{event.count}{when}): "
            f"{first_lines(event.message, lines=2, width=400)}"
        )
    return lines


def owner_line(index: ClusterIndex, res: Resource) -> str:
    """``owned by Deployment media/sonarr`` (the top of the owner chain), or empty for a bare pod."""
    chain = index.owner_chain(res)
    if chain:
        return f"owned by {chain[-1].ref}"
    ref = res.controller_owner
    if ref:
        return f"owned by {ref.get('kind')} {res.namespace}/{ref.get('name')} (not in the snapshot)"
    return ""


def node_state_line(index: ClusterIndex, pod: Resource, *, now: datetime | None = None) -> str:
    name = pod_node(pod)
    if not name:
        return ""
    node = index.get("Node", None, name)
    if node is None:
        return ""
    status = node_ready_status(node)
    if status == "True":
        return ""
    cond = node.condition("Ready") or {}
    since = parse_time(cond.get("lastTransitionTime"))
    age = f" for {short_duration(now - since)}" if now is not None and since is not None else ""
    text = "NotReady" if status == "False" else "Unknown"
    return f"node {name} is {text}{age}"


def age_of(stamp: object, now: datetime) -> str:
    moment = parse_time(stamp)
    return short_duration(now - moment) if moment is not None else "?"


def limit_lines(lines: Sequence[str], limit: int, noun: str = "more") -> list[str]:
    if len(lines) <= limit:
        return list(lines)
    return [*lines[:limit], f"… and {len(lines) - limit} {noun}"]


def memory_line(pod: Resource, container: str, label: str) -> str:
    """``container x: memory limit=2Gi, request=1Gi``: what an OOM kill is measured against."""
    spec = container_spec(pod, container)
    limit = spec.resources.limits.get("memory") if spec is not None else None
    request = spec.resources.requests.get("memory") if spec is not None else None
    return f"{label}: memory limit={limit or 'none'}, request={request or 'none'}" + (
        "" if limit else " (no limit: the node itself ran out of memory)"
    )
