"""The API server's datastore failing under the controllers: etcd's own errors, passed on by the API server to
every client whose write it could not commit in time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import msgspec

from homelabctl.k8s.memo import remembered
from homelabctl.k8s.pod_trouble import troubled_pods
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
    if "etcdserver: " not in text:  # the pattern's literal start: most messages are not searched
        return ""
    found = _ETCD_ERROR.search(text)
    if not found:
        return ""
    start = text.rfind("\n", 0, found.start()) + 1
    end = text.find("\n", found.end())
    return " ".join(text[start : end if end >= 0 else len(text)].split())[:300]


def datastore_errors(index: ClusterIndex, now: datetime) -> list[DatastoreError]:
    """Pods whose containers quote an etcd error in their current state or in a termination of the last
    :data:`RECENT` hours: one per pod, once per index and run (k8s.memo: the check and its rule ask). Only
    the pods with a container stopped or restarted have a message to read (``pod_trouble.troubled_pods``,
    the list the container-state checks walk): parsing every pod's statuses cost 10 ms and 1 MiB at 10k."""
    return remembered("datastore_errors", index, lambda: _datastore_errors(troubled_pods(index), now))


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
