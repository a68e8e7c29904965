"""Which pods have something to say about their containers: the lists the container-state checks (and the
readers behind other checks) walk instead of every pod, each built in one pass per index and run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from homelabctl.k8s.memo import remembered
from homelabctl.k8s.pods import phase
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex


def live_pods(index: ClusterIndex) -> Sequence[Resource]:
    """Pods that are not being deleted: a pod on its way out is reported by pod-stuck-terminating only."""
    # the list once per index and run (k8s.memo): a dozen checks walk it
    # metadata read in place: Resource.deletion_timestamp is None exactly when the field is empty
    return remembered(
        "live_pods", index, lambda: [p for p in index.all("Pod") if not p.metadata.get("deletionTimestamp")]
    )


def pending_pods(index: ClusterIndex) -> list[Resource]:
    """Live pods in phase ``Pending``, in index order, once per index and run (k8s.memo): the checks about
    pods waiting for a node (or a GPU, or a host port) walk these, not every pod."""
    return remembered("pending_pods", index, lambda: [p for p in live_pods(index) if phase(p) == "Pending"])


def troubled_pods(index: ClusterIndex) -> list[Resource]:
    """Live pods with a container that waits for a reason, is or was terminated, or has restarted, in index
    order, once per index and run (k8s.memo). The container-state checks (crash loops, config errors, image
    pulls, OOM kills, restarts) have nothing to say about the others, so they walk these pods only."""
    return _container_state_pods(index)[0]


def _container_state_pods(index: ClusterIndex) -> tuple[list[Resource], list[Resource]]:
    """(troubled_pods, pods_with_state_messages): one pass over the pods for both, once per index and run."""
    return remembered("container_state_pods", index, lambda: _read_container_state_pods(index))


def _read_container_state_pods(index: ClusterIndex) -> tuple[list[Resource], list[Resource]]:
    troubled: list[Resource] = []
    with_messages: list[Resource] = []
    for pod in index.all("Pod"):
        if _quiet(pod):
            continue  # most pods: neither list, one read of each status
        if not pod.deletion_timestamp and not _untroubled(pod):
            troubled.append(pod)
        if _has_state_message(pod):
            with_messages.append(pod)
    return troubled, with_messages


def _quiet(pod: Resource) -> bool:
    """Neither troubled nor carrying a message: every status plain (see ``_plain``), waiting without a message."""
    status = pod.status
    for key in ("initContainerStatuses", "containerStatuses"):
        statuses = status.get(key)
        for cs in statuses if isinstance(statuses, list) else ():
            if type(cs) is not dict and not isinstance(cs, Mapping):  # dicts without the abstract-class check
                continue
            # _plain, inline (every container of every pod), with the waiting state's message read as well
            if cs.get("restartCount"):
                return False
            last = cs.get("lastState")
            if last and (type(last) is not dict or last.get("terminated")):
                return False
            state = cs.get("state")
            if state:
                if type(state) is not dict or state.get("terminated"):
                    return False
                found = state.get("waiting")
                if found and (type(found) is not dict or found.get("reason") or found.get("message")):
                    return False
    return True


def _untroubled(pod: Resource) -> bool:
    """Every container status (those ``all_statuses`` reads, read in place: most pods are healthy and never
    read again) shows a plain state: no restart, no termination now or last, no waiting reason. Anything of
    an unexpected type counts as trouble, so the checks read it (and contain it) as before."""
    status = pod.status
    for key in ("initContainerStatuses", "containerStatuses"):
        statuses = status.get(key)
        for cs in statuses if isinstance(statuses, list) else ():
            if isinstance(cs, Mapping) and not _plain(cs):
                return False
    return True


def _plain(cs: Mapping[str, Any]) -> bool:
    if cs.get("restartCount"):
        return False
    last = cs.get("lastState")
    if last and (type(last) is not dict or last.get("terminated")):
        return False
    state = cs.get("state")
    if state:
        if type(state) is not dict or state.get("terminated"):
            return False
        found = state.get("waiting")
        if found and (type(found) is not dict or found.get("reason")):
            return False
    return True


def pods_with_state_messages(index: ClusterIndex) -> list[Resource]:
    """Pods (terminating ones too) with a container whose waiting, terminated or last terminated state carries
    a message, in index order, once per index and run (k8s.memo): checks that read what containers said
    walk these only. A value of an unexpected type counts, so the checks read it (and contain it) as before."""
    return _container_state_pods(index)[1]


def _has_state_message(pod: Resource) -> bool:
    status = pod.status
    for key in ("initContainerStatuses", "containerStatuses"):
        statuses = status.get(key)
        for cs in statuses if isinstance(statuses, list) else ():
            if not isinstance(cs, Mapping):
                continue
            state = cs.get("state") or {}
            last = cs.get("lastState") or {}
            if type(state) is not dict or type(last) is not dict:
                return True
            for part in (state.get("waiting"), state.get("terminated"), last.get("terminated")):
                if part and (type(part) is not dict or part.get("message")):
                    return True
    return False
