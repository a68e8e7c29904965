"""Containment per object at the door: a value of the wrong type where every reader expects one shape.

Kubernetes fixes the type of its common fields (``replicas`` is an integer, ``conditions`` a list of maps,
``labels`` a map of strings...). A hand-edited or hostile snapshot can hold ``replicas: "zzz"``; checks,
scores, the diagnosis and the renderers all read these fields, so such an object is set aside when loaded:
it costs its own findings (an error names the object and the field) and nothing else. Only fields whose type
Kubernetes fixes and the code reads are looked at, at known places: cheap enough to run on every object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

INT, STR, MAP, LIST, LIST_OF_MAPS = "an integer", "a string", "a map", "a list", "a list of maps"
Shape = str

_WORKLOAD: dict[str, Shape] = {
    **dict.fromkeys(("replicas", "readyReplicas", "availableReplicas", "updatedReplicas", "unavailableReplicas",
                     "currentReplicas", "fullyLabeledReplicas", "numberReady", "desiredNumberScheduled",
                     "currentNumberScheduled", "numberUnavailable", "numberMisscheduled", "numberAvailable",
                     "updatedNumberScheduled", "failedIssuanceAttempts", "observedGeneration", "succeeded", "failed",
                     "active", "backoffLimit", "completions", "parallelism", "terminationGracePeriodSeconds"), INT),
    **dict.fromkeys(("conditions", "containers", "initContainers", "ephemeralContainers", "containerStatuses",
                     "initContainerStatuses", "ephemeralContainerStatuses", "taints", "volumes", "tolerations",
                     "valuesFrom", "parentRefs", "listeners", "parents"), LIST_OF_MAPS),
    **dict.fromkeys(("rules", "hostnames", "dependsOn", "accessModes"), LIST),
    **dict.fromkeys(("selector", "template", "nodeSelector", "capacity", "allocatable", "jobTemplate"), MAP),
    **dict.fromkeys(("nodeName", "phase", "schedulerName", "serviceAccountName", "storageClassName", "volumeName"),
                    STR),
}
"""Fields of ``spec``/``status`` (and of a pod template's spec) whose type is the same in every kind."""
_METADATA: dict[str, Shape] = {
    **dict.fromkeys(("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp"), STR),
    **dict.fromkeys(("labels", "annotations"), MAP), "ownerReferences": LIST_OF_MAPS, "finalizers": LIST,
    **dict.fromkeys(("generation", "deletionGracePeriodSeconds"), INT),
}
_CONTAINER: dict[str, Shape] = {"name": STR, "image": STR, "env": LIST_OF_MAPS, "ports": LIST_OF_MAPS,
                                "args": LIST, "command": LIST, "resources": MAP, "volumeMounts": LIST_OF_MAPS}
_CONTAINER_STATUS: dict[str, Shape] = {"name": STR, "restartCount": INT, "state": MAP, "lastState": MAP}
_CONDITION: dict[str, Shape] = {"type": STR, "reason": STR, "message": STR, "lastTransitionTime": STR}
_TOP: dict[str, Shape] = {"metadata": MAP, "spec": MAP, "status": MAP}
_BY_KIND: dict[str, dict[str, Shape]] = {
    "Event": {"count": INT, "involvedObject": MAP, "series": MAP, "reason": STR, "message": STR, "type": STR},
    "ConfigMap": {"data": MAP, "binaryData": MAP}, "Secret": {"data": MAP, "stringData": MAP, "type": STR},
    "HelmRelease": {}, "Kustomization": {},
}
_HELM_SPEC: dict[str, Shape] = {"values": MAP, "chart": MAP, "postBuild": MAP, "valuesFrom": LIST_OF_MAPS,
                                 "dependsOn": LIST}
_ITEMS: dict[str, dict[str, Shape]] = {
    "containers": _CONTAINER, "initContainers": _CONTAINER, "ephemeralContainers": _CONTAINER,
    "containerStatuses": _CONTAINER_STATUS, "initContainerStatuses": _CONTAINER_STATUS, "conditions": _CONDITION,
}


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _shape_problem(shape: Shape, value: Any) -> str | None:
    kind = type(value)  # parsed JSON/YAML: exact types, and far cheaper than isinstance against ABCs
    if shape == INT:
        ok = kind is int
    elif shape == STR:
        ok = kind is str
    elif shape == MAP:
        ok = kind is dict
    elif shape == LIST:
        ok = kind is list
    else:
        if kind is not list:
            return f"expected a list, got {_describe(value)}"
        for i, item in enumerate(value):
            if type(item) is not dict:
                return f"[{i}]: expected a map, got {_describe(item)}"
        return None
    return None if ok else f"expected {shape}, got {_describe(value)}"


_EXACT: dict[Shape, type] = {INT: int, STR: str, MAP: dict, LIST: list}


def _check(mapping: Mapping[str, Any], fields: Mapping[str, Shape], prefix: str) -> str | None:
    # over the object's keys (a handful), not the rules' (dozens): this runs on every object loaded; the
    # right type is answered inline, the message is only built for a wrong one
    for key, value in mapping.items():
        shape = fields.get(key)
        if shape is None or value is None:
            continue
        expected = _EXACT.get(shape)
        if expected is not None:
            if type(value) is expected:
                continue
        elif type(value) is list and all(type(item) is dict for item in value):
            continue
        problem = _shape_problem(shape, value)
        if problem:
            return f"{prefix}{key}{problem}" if problem.startswith("[") else f"{prefix}{key}: {problem}"
    return None


def _check_section(section: dict[str, Any], prefix: str, extra: Mapping[str, Shape] = {}) -> str | None:
    problem = _check(section, _WORKLOAD, prefix) or (_check(section, extra, prefix) if extra else None)
    if problem:
        return problem
    for key, value in section.items():
        item_fields = _ITEMS.get(key)
        if item_fields is None or type(value) is not list:
            continue
        for i, item in enumerate(value[:500]):
            problem = _check(item, item_fields, "")
            if problem:
                return f"{prefix}{key}[{i}].{problem}"
    return None


def _builtin(api_version: Any) -> bool:
    group = api_version.rpartition("/")[0] if isinstance(api_version, str) else ""
    return "." not in group or (group.endswith(".k8s.io") and not group.startswith(("gateway.", "snapshot.")))


def malformed_field(raw: Mapping[str, Any]) -> str | None:
    """``"spec.replicas: expected an integer, got 'zzz'"`` for the first malformed field, or None."""
    kind = raw.get("kind")
    problem = _check(raw, _TOP, "") or _check(raw, _BY_KIND.get(str(kind), {}), "")
    if problem:
        return problem
    meta = raw.get("metadata")
    if type(meta) is dict:
        problem = _check(meta, _METADATA, "metadata.")
        if problem:
            return problem
    if not _builtin(raw.get("apiVersion")):
        # custom resources name their fields as they like (Longhorn's spec.nodeSelector is a list): only the
        # Flux fields every reader relies on are checked; the engine contains the rest per object
        spec = raw.get("spec")
        if kind in ("HelmRelease", "Kustomization") and isinstance(spec, Mapping):
            return _check(spec, _HELM_SPEC, "spec.")
        return None
    extra: Mapping[str, Shape] = {}
    for name in ("spec", "status"):
        section = raw.get(name)
        if type(section) is dict:
            problem = _check_section(section, f"{name}.", extra)
            if problem:
                return problem
    spec = raw.get("spec")
    template: Any = spec.get("template") if isinstance(spec, Mapping) else None
    if kind == "CronJob" and isinstance(spec, Mapping):
        job = spec.get("jobTemplate")
        job_spec = job.get("spec") if isinstance(job, Mapping) else None
        template = job_spec.get("template") if isinstance(job_spec, Mapping) else None
    template_spec = template.get("spec") if isinstance(template, Mapping) else None
    if type(template_spec) is dict:
        return _check_section(template_spec, "spec.template.spec.")
    return None


def object_name(raw: Mapping[str, Any]) -> str:
    meta = raw.get("metadata")
    meta = meta if type(meta) is dict else {}
    name, namespace = str(meta.get("name", "")), meta.get("namespace")
    return f"{raw.get('kind')} {namespace}/{name}" if namespace else f"{raw.get('kind')} {name}"


def malformed_message(raw: Mapping[str, Any], problem: str) -> str:
    return f"{object_name(raw)}: {problem}; object skipped (its checks cannot read it)"
