"""The API server's datastore failing under the controllers: etcd's own errors, passed on by the API server to
every client whose write it could not commit in time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import msgspec

from homelabctl import kinds
from homelabctl.k8s.memo import remembered
from homelabctl.k8s.pods import all_container_statuses, node_name
from homelabctl.lazyre import LazyPattern
from homelabctl.model import ObjectRef, Resource
from homelabctl.sources.index import ClusterIndex
from homelabctl.timeutil import parse_time

_ETCD_ERROR = LazyPattern(r"etcdserver: (?:request timed out|leader changed|no leader|too many requests)")
"""etcd's errors as the API server returns them (``rpctypes`` in etcd's client API): the datastore did not
commit the write, whichever client asked."""
RECENT = timedelta(hours=2)
"""A container's last termination keeps its message until the next restart: older than this, it says nothing
of the datastore now."""
_MAX_TEXT = 8192


class DatastoreError(msgspec.Struct, frozen=True):
    """A pod whose container stopped (or waits) on an error of the API server's datastore."""

    pod: ObjectRef
    node: str
    line: str


def etcd_error_line(message: str) -> str:
    """The line of a container's message that quotes an etcd error, or ``""``."""
    text = message[-_MAX_TEXT:]  # a termination message's last lines are the ones before the exit
    found = _ETCD_ERROR.search(text)
    if not found:
        return ""
    start = text.rfind("\n", 0, found.start()) + 1
    end = text.find("\n", found.end())
    return " ".join(text[start : end if end >= 0 else len(text)].split())[:300]


def datastore_errors(
    index: ClusterIndex, now: datetime, candidates: Iterable[Resource] | None = None
) -> list[DatastoreError]:
    """Pods whose containers quote an etcd error in their current state or in a termination of the last
    :data:`RECENT` hours: one per pod, once per index and run (k8s.memo: the check and its rule ask).
    ``candidates``: the pods with a container stopped or restarted, when the caller has them already (every
    other pod is read again otherwise, which costs a walk of the pods at 10,000 objects)."""
    return remembered(
        "datastore_errors",
        index,
        lambda: _datastore_errors(
            candidates if candidates is not None else filter(_stopped_or_restarted, index.all(kinds.POD)), now
        ),
    )


def _stopped_or_restarted(pod: Resource) -> bool:
    """A container not running now, or restarted: the only ones with a message to read. (Hot: most pods are
    neither, and their statuses are not parsed; anything of an unexpected shape is parsed, to be safe.)"""
    status = pod.status
    for key in ("initContainerStatuses", "containerStatuses"):
        statuses = status.get(key)
        if statuses is None:
            continue
        if type(statuses) is not list:
            return True
        for cs in statuses:
            if type(cs) is not dict or cs.get("restartCount"):
                return True
            state = cs.get("state")
            if type(state) is not dict or "running" not in state:
                return True
    return False


def _datastore_errors(pods: Iterable[Resource], now: datetime) -> list[DatastoreError]:
    found: list[DatastoreError] = []
    for pod in pods:
        for status in all_container_statuses(pod):
            line = ""
            for state in (status.state, status.last_state):
                if not state.message:
                    continue
                finished = parse_time(state.finished_at) if state.finished_at else None
                if finished is not None and now - finished > RECENT:
                    continue
                line = etcd_error_line(state.message)
                if line:
                    break
            if line:
                found.append(DatastoreError(pod.ref, node_name(pod) or "", line))
                break
    return found
