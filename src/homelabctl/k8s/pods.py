"""Pods and pod templates: container statuses (state, last state, OOMKilled, restarts), containers,
resources, volumes and tolerations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl.k8s._raw import (
    Obj,
    integer,
    items,
    mapping,
    mappings,
    opt_integer,
    raw_of,
    section,
    string_map,
    strings,
    text,
)
from homelabctl.k8s.memo import remembered

OOM_KILLED = "OOMKilled"


class ContainerState(msgspec.Struct, frozen=True):
    """One of a container's ``state``/``lastState``: which it is (waiting, running, terminated or none)."""

    phase: str
    """``waiting``, ``running``, ``terminated``, or empty when the state says nothing."""
    reason: str = ""
    message: str = ""
    exit_code: int | None = None
    signal: int | None = None
    started_at: str = ""
    finished_at: str = ""

    @property
    def waiting(self) -> bool:
        return self.phase == "waiting"

    @property
    def running(self) -> bool:
        return self.phase == "running"

    @property
    def terminated(self) -> bool:
        return self.phase == "terminated"

    @property
    def oom_killed(self) -> bool:
        return self.terminated and self.reason == OOM_KILLED


NO_STATE = ContainerState("")


def container_state(value: object) -> ContainerState:
    state = mapping(value)
    for phase in ("terminated", "waiting", "running"):
        if phase in state and state.get(phase) is not None:
            detail = mapping(state.get(phase))
            return ContainerState(
                phase,
                text(detail.get("reason")),
                text(detail.get("message")),
                opt_integer(detail.get("exitCode")),
                opt_integer(detail.get("signal")),
                text(detail.get("startedAt")),
                text(detail.get("finishedAt")),
            )
    return NO_STATE


class ContainerStatus(msgspec.Struct, frozen=True):
    name: str
    init: bool
    ready: bool
    started: bool | None
    restart_count: int
    image: str
    state: ContainerState
    last_state: ContainerState

    @property
    def waiting_reason(self) -> str:
        return self.state.reason if self.state.waiting else ""

    @property
    def oom_killed(self) -> bool:
        """Killed for its memory limit, now or on its last run (a restarted container shows it in lastState)."""
        return self.state.oom_killed or self.last_state.oom_killed

    @property
    def label(self) -> str:
        return f"init container {self.name}" if self.init else f"container {self.name}"


def container_statuses(pod: Obj, *, init: bool = False) -> tuple[ContainerStatus, ...]:
    """Once per pod and run (k8s.memo): the container checks and the diagnosis read the same pods' statuses
    again and again (378 reads of 54 pods at 10,000 objects)."""
    raw = raw_of(pod)
    if init:
        return remembered("pods.init_container_statuses", raw, _container_statuses, raw, True)
    return remembered("pods.container_statuses", raw, _container_statuses, raw, False)


def _container_statuses(pod: Obj, init: bool) -> tuple[ContainerStatus, ...]:
    key = "initContainerStatuses" if init else "containerStatuses"
    found = []
    for cs in mappings(section(pod, "status").get(key)):
        started = cs.get("started")
        found.append(
            ContainerStatus(
                text(cs.get("name")),
                init,
                cs.get("ready") is True,
                started if isinstance(started, bool) else None,
                max(integer(cs.get("restartCount")), 0),
                text(cs.get("image")),
                container_state(cs.get("state")),
                container_state(cs.get("lastState")),
            )
        )
    return tuple(found)


def all_container_statuses(pod: Obj) -> tuple[ContainerStatus, ...]:
    """Init containers first, the order the kubelet runs them."""
    return container_statuses(pod, init=True) + container_statuses(pod)


def restart_count(pod: Obj) -> int:
    return sum(cs.restart_count for cs in container_statuses(pod))


def phase(pod: Obj) -> str:
    found = section(pod, "status").get("phase")
    return found if type(found) is str else text(found)  # asked of every pod: no call for a string


def is_finished(pod: Obj) -> bool:
    return phase(pod) in ("Succeeded", "Failed")


def node_name(pod: Obj) -> str | None:
    return text(section(pod, "spec").get("nodeName")) or None


def pod_ip(pod: Obj) -> str:
    """``status.podIP``; empty before the pod has a sandbox."""
    return text(section(pod, "status").get("podIP"))


# -- pod specs --------------------------------------------------------------------------------------------------


def pod_spec(obj: Obj) -> Mapping[str, Any]:
    """The pod spec of a Pod, of a workload's template, or of a CronJob's job template."""
    raw = raw_of(obj)
    spec = section(raw, "spec")
    kind = text(raw.get("kind"))
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        spec = mapping(mapping(spec.get("jobTemplate")).get("spec"))
    return mapping(mapping(spec.get("template")).get("spec"))


class Resources(msgspec.Struct, frozen=True):
    """A container's ``resources``: quantities kept as written (``512Mi``, ``1``, ``500m``)."""

    requests: Mapping[str, str]
    limits: Mapping[str, str]

    def get(self, resource: str) -> str | None:
        """The limit, else the request (extended resources like GPUs often set only one)."""
        return self.limits.get(resource) or self.requests.get(resource) or None


class EnvVar(msgspec.Struct, frozen=True):
    name: str
    value: str | None
    """None when the variable comes from ``valueFrom``."""
    secret_ref: tuple[str, str] | None = None
    """(Secret name, key) of a ``secretKeyRef``."""
    config_map_ref: tuple[str, str] | None = None


class VolumeMount(msgspec.Struct, frozen=True):
    name: str
    mount_path: str
    sub_path: str = ""


class Container(msgspec.Struct, frozen=True):
    name: str
    image: str
    init: bool
    command: tuple[str, ...]
    args: tuple[str, ...]
    env: tuple[EnvVar, ...]
    volume_mounts: tuple[VolumeMount, ...]
    resources: Resources
    restart_policy: str = ""
    """``Always`` on an init container makes it a sidecar."""


def _env(value: object) -> tuple[EnvVar, ...]:
    found = []
    for env in mappings(value):
        source = mapping(env.get("valueFrom"))
        secret = mapping(source.get("secretKeyRef"))
        cm = mapping(source.get("configMapKeyRef"))
        found.append(
            EnvVar(
                text(env.get("name")),
                text(env.get("value")) if "value" in env else None,
                (text(secret.get("name")), text(secret.get("key"))) if secret else None,
                (text(cm.get("name")), text(cm.get("key"))) if cm else None,
            )
        )
    return tuple(found)


def _container(c: Mapping[str, Any], init: bool) -> Container:
    resources = mapping(c.get("resources"))
    return Container(
        text(c.get("name")),
        text(c.get("image")),
        init,
        strings(c.get("command")),
        strings(c.get("args")),
        _env(c.get("env")),
        tuple(
            VolumeMount(text(m.get("name")), text(m.get("mountPath")), text(m.get("subPath")))
            for m in mappings(c.get("volumeMounts"))
        ),
        Resources(string_map(resources.get("requests")), string_map(resources.get("limits"))),
        text(c.get("restartPolicy")),
    )


def containers(spec: Mapping[str, Any] | None, *, init: bool = True) -> tuple[Container, ...]:
    """The containers of a pod spec, then (with ``init``) its init containers."""
    spec = mapping(spec)
    if init:
        return remembered("containers+init", spec, _containers, spec, True)
    return remembered("containers", spec, _containers, spec, False)


def _containers(spec: Mapping[str, Any], init: bool) -> tuple[Container, ...]:
    found = [_container(c, False) for c in mappings(spec.get("containers"))]
    if init:
        found += [_container(c, True) for c in mappings(spec.get("initContainers"))]
    return tuple(found)


def container(spec: Mapping[str, Any] | None, name: str) -> Container | None:
    for found in containers(spec):
        if found.name == name:
            return found
    return None


def images(spec: Mapping[str, Any] | None, *, init: bool = False) -> tuple[str, ...]:
    """Container images (init containers too with ``init``), without building the full Container records.
    Once per pod spec and run (k8s.memo): half a dozen checks look for images among every pod's."""
    spec = mapping(spec)
    return remembered("images+init" if init else "images", spec, _images, spec, init)


def _images(spec: Mapping[str, Any], init: bool) -> tuple[str, ...]:
    found = [text(c.get("image")) for c in mappings(spec.get("containers"))]
    if init:
        found += [text(c.get("image")) for c in mappings(spec.get("initContainers"))]
    return tuple(found)


class Volume(msgspec.Struct, frozen=True):
    name: str
    claim_name: str | None = None
    """``persistentVolumeClaim.claimName``, or ``<pod>-<volume>`` for a generic ephemeral volume."""
    ephemeral: bool = False
    host_path: str | None = None
    config_map: str | None = None
    secret: str | None = None
    csi_driver: str | None = None


def volumes(spec: Mapping[str, Any] | None, *, pod_name: str = "") -> tuple[Volume, ...]:
    found = []
    for volume in mappings(mapping(spec).get("volumes")):
        name = text(volume.get("name"))
        claim = text(mapping(volume.get("persistentVolumeClaim")).get("claimName")) or None
        ephemeral = bool(volume.get("ephemeral")) and claim is None
        if ephemeral and pod_name:
            claim = f"{pod_name}-{name}"
        found.append(
            Volume(
                name,
                claim,
                ephemeral,
                text(mapping(volume.get("hostPath")).get("path")) or None,
                text(mapping(volume.get("configMap")).get("name")) or None,
                text(mapping(volume.get("secret")).get("secretName")) or None,
                text(mapping(volume.get("csi")).get("driver")) or None,
            )
        )
    return tuple(found)


def claim_names(pod: Obj) -> list[str]:
    """Claim names a pod mounts, including generic ephemeral volumes (``<pod>-<volume>``)."""
    spec = section(pod, "spec")
    if not spec.get("volumes"):
        return []  # most pods: nothing else to read
    pod_name = text(section(pod, "metadata").get("name"))
    return [v.claim_name for v in volumes(spec, pod_name=pod_name) if v.claim_name]


class Toleration(msgspec.Struct, frozen=True):
    key: str
    operator: str
    value: str
    effect: str
    seconds: int | None

    def tolerates(self, taint_key: str, taint_value: str, taint_effect: str) -> bool:
        if self.effect and self.effect != taint_effect:
            return False
        if not self.key:
            return self.operator == "Exists"
        if self.key != taint_key:
            return False
        return self.operator == "Exists" or self.value == taint_value


def tolerations(spec: Mapping[str, Any] | None) -> tuple[Toleration, ...]:
    return tuple(
        Toleration(
            text(t.get("key")),
            text(t.get("operator"), "Equal"),
            text(t.get("value")),
            text(t.get("effect")),
            opt_integer(t.get("tolerationSeconds")),
        )
        for t in mappings(mapping(spec).get("tolerations"))
    )


def node_selector(spec: Mapping[str, Any] | None) -> dict[str, str]:
    return string_map(mapping(spec).get("nodeSelector"))


def required_node_fields(spec: Mapping[str, Any] | None, key: str) -> list[str]:
    """Values of required node-affinity ``matchFields`` on ``key`` (a DaemonSet pod's ``metadata.name``)."""
    required = mapping(mapping(mapping(spec).get("affinity")).get("nodeAffinity")).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    values: list[str] = []
    for term in mappings(mapping(required).get("nodeSelectorTerms")):
        for expr in mappings(term.get("matchFields")):
            if text(expr.get("key")) == key:
                values.extend(strings(expr.get("values")))
    return values


class Scheduling(msgspec.Struct, frozen=True):
    """What decides where and whether a pod runs, and how it stops."""

    node_name: str
    scheduler_name: str
    gated: bool
    """``spec.schedulingGates`` is non-empty: the scheduler will not look at it yet."""
    priority_class_name: str
    priority: int
    termination_grace_seconds: int | None


def scheduling(pod: Obj) -> Scheduling:
    spec = section(pod, "spec")
    grace = spec.get("terminationGracePeriodSeconds")
    return Scheduling(
        text(spec.get("nodeName")),
        text(spec.get("schedulerName")),
        bool(items(spec.get("schedulingGates"))),
        text(spec.get("priorityClassName")),
        integer(spec.get("priority")),
        opt_integer(grace),
    )


class PodStatus(msgspec.Struct, frozen=True):
    phase: str
    reason: str
    """``Evicted``, ``NodeLost``..."""
    message: str
    start_time: str


def pod_status(pod: Obj) -> PodStatus:
    status = section(pod, "status")
    return PodStatus(
        text(status.get("phase")),
        text(status.get("reason")),
        text(status.get("message")),
        text(status.get("startTime")),
    )


def deletion_grace_seconds(pod: Obj) -> int | None:
    return opt_integer(section(pod, "metadata").get("deletionGracePeriodSeconds"))


def finalizers(obj: Obj) -> tuple[str, ...]:
    return strings(section(obj, "metadata").get("finalizers"))
