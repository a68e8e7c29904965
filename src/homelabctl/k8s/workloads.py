"""Deployments, StatefulSets, ReplicaSets, DaemonSets and Jobs: replica counts."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, integer, mapping, raw_of, section, string_map, text
from homelabctl.model import Resource


class Replicas(msgspec.Struct, frozen=True):
    desired: int
    ready: int
    available: int
    updated: int


def replicas(workload: Obj) -> Replicas:
    """A DaemonSet's scheduled/ready numbers, else ``spec.replicas`` (1 when unset, as the API defaults it)
    against ``status``. A value that is not a number (``replicas: "zzz"``) reads as the default."""
    raw = raw_of(workload)
    status = section(raw, "status")
    if text(raw.get("kind")) == "DaemonSet":
        return Replicas(
            integer(status.get("desiredNumberScheduled")),
            integer(status.get("numberReady")),
            integer(status.get("numberAvailable")),
            integer(status.get("updatedNumberScheduled")),
        )
    desired = max(integer(section(raw, "spec").get("replicas"), 1), 0)
    return Replicas(
        desired,
        integer(status.get("readyReplicas")),
        integer(status.get("availableReplicas")),
        integer(status.get("updatedReplicas")),
    )


def ready_and_desired(workload: Obj) -> tuple[int, int]:
    """``(replicas(w).ready, replicas(w).desired)`` without the other counts: asked of every workload (the
    scores count them all), so a Resource's sections are taken as read when it was made and the usual int
    counts are kept without a call."""
    if type(workload) is Resource:
        raw, status, spec = workload.raw, workload.status, workload.spec
    else:
        raw = raw_of(workload)
        status, spec = section(raw, "status"), section(raw, "spec")
    kind = raw.get("kind")
    if (kind if type(kind) is str else text(kind)) == "DaemonSet":
        return integer(status.get("numberReady")), integer(status.get("desiredNumberScheduled"))
    ready, desired = status.get("readyReplicas"), spec.get("replicas")
    return (
        ready if type(ready) is int else integer(ready),
        max(desired if type(desired) is int else integer(desired, 1), 0),
    )


class DaemonSetStatus(msgspec.Struct, frozen=True):
    desired: int
    ready: int
    current: int
    unavailable: int
    misscheduled: int


def daemonset_status(ds: Obj) -> DaemonSetStatus:
    status = section(ds, "status")
    return DaemonSetStatus(
        integer(status.get("desiredNumberScheduled")),
        integer(status.get("numberReady")),
        integer(status.get("currentNumberScheduled")),
        integer(status.get("numberUnavailable")),
        integer(status.get("numberMisscheduled")),
    )


def match_labels(workload: Obj) -> dict[str, str]:
    """``spec.selector.matchLabels`` of a Deployment, StatefulSet, DaemonSet, ReplicaSet or Job."""
    return string_map(mapping(section(workload, "spec").get("selector")).get("matchLabels"))


class JobState(msgspec.Struct, frozen=True):
    failed: int
    succeeded: int
    active: int
    backoff_limit: int
    """``spec.backoffLimit``, 6 when unset (the API default)."""


def job_state(job: Obj) -> JobState:
    status, spec = section(job, "status"), section(job, "spec")
    return JobState(
        integer(status.get("failed")),
        integer(status.get("succeeded")),
        integer(status.get("active")),
        integer(spec.get("backoffLimit"), 6),
    )


class CronJobState(msgspec.Struct, frozen=True):
    schedule: str
    suspended: bool
    last_schedule_time: str
    last_successful_time: str


def cronjob_state(cronjob: Obj) -> CronJobState:
    status, spec = section(cronjob, "status"), section(cronjob, "spec")
    return CronJobState(
        text(spec.get("schedule")),
        spec.get("suspend") is True,
        text(status.get("lastScheduleTime")),
        text(status.get("lastSuccessfulTime")),
    )


def updated_replicas(workload: Obj) -> int | None:
    """``status.updatedReplicas``; None when the controller did not report it."""
    status = section(workload, "status")
    return integer(status.get("updatedReplicas")) if "updatedReplicas" in status else None
