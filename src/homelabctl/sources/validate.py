"""Containment per object at the door: a value of the wrong type where every reader expects one shape.

Kubernetes fixes the type of its common fields (``replicas`` is an integer, ``conditions`` a list of maps,
``labels`` a map of strings...). A hand-edited or hostile snapshot can hold ``replicas: "zzz"``; checks,
scores, the diagnosis and the renderers all read these fields, so such an object is set aside when loaded:
it costs its own findings (an error names the object and the field) and nothing else. Only fields whose type
Kubernetes fixes and the code reads are looked at, at known places: cheap enough to run on every object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from homelabctl.k8s import shape

INT, STR, MAP, LIST, LIST_OF_MAPS = "an integer", "a string", "a map", "a list", "a list of maps"
Shape = str

_WORKLOAD: dict[str, Shape] = {
    **dict.fromkeys(
        (
            "replicas",
            "readyReplicas",
            "availableReplicas",
            "updatedReplicas",
            "unavailableReplicas",
            "currentReplicas",
            "fullyLabeledReplicas",
            "numberReady",
            "desiredNumberScheduled",
            "currentNumberScheduled",
            "numberUnavailable",
            "numberMisscheduled",
            "numberAvailable",
            "updatedNumberScheduled",
            "failedIssuanceAttempts",
            "observedGeneration",
            "succeeded",
            "failed",
            "active",
            "backoffLimit",
            "completions",
            "parallelism",
            "terminationGracePeriodSeconds",
        ),
        INT,
    ),
    **dict.fromkeys(
        (
            "conditions",
            "containers",
            "initContainers",
            "ephemeralContainers",
            "containerStatuses",
            "initContainerStatuses",
            "ephemeralContainerStatuses",
            "taints",
            "volumes",
            "tolerations",
            "valuesFrom",
            "parentRefs",
            "listeners",
            "parents",
        ),
        LIST_OF_MAPS,
    ),
    **dict.fromkeys(("rules", "hostnames", "dependsOn", "accessModes"), LIST),
    **dict.fromkeys(("selector", "template", "nodeSelector", "capacity", "allocatable", "jobTemplate"), MAP),
    **dict.fromkeys(
        ("nodeName", "phase", "schedulerName", "serviceAccountName", "storageClassName", "volumeName"), STR
    ),
}
"""Fields of ``spec``/``status`` (and of a pod template's spec) whose type is the same in every kind."""
_METADATA: dict[str, Shape] = {
    **dict.fromkeys(("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp"), STR),
    **dict.fromkeys(("labels", "annotations"), MAP),
    "ownerReferences": LIST_OF_MAPS,
    "finalizers": LIST,
    **dict.fromkeys(("generation", "deletionGracePeriodSeconds"), INT),
}
_CONTAINER: dict[str, Shape] = {
    "name": STR,
    "image": STR,
    "env": LIST_OF_MAPS,
    "ports": LIST_OF_MAPS,
    "args": LIST,
    "command": LIST,
    "resources": MAP,
    "volumeMounts": LIST_OF_MAPS,
}
_CONTAINER_STATUS: dict[str, Shape] = {"name": STR, "restartCount": INT, "state": MAP, "lastState": MAP}
_CRONJOB_STATUS: dict[str, Shape] = {"active": LIST_OF_MAPS}
_TOP: dict[str, Shape] = {"metadata": MAP, "spec": MAP, "status": MAP}
_BY_KIND: dict[str, dict[str, Shape]] = {
    "Event": {"count": INT, "involvedObject": MAP, "series": MAP, "reason": STR, "message": STR, "type": STR},
    "ConfigMap": {"data": MAP, "binaryData": MAP},
    "Secret": {"data": MAP, "stringData": MAP, "type": STR},
    "HelmRelease": {},
    "Kustomization": {},
}
_TOP_BY_KIND = {kind: {**_TOP, **fields} for kind, fields in _BY_KIND.items()}
_HELM_SPEC: dict[str, Shape] = {
    "values": MAP,
    "chart": MAP,
    "postBuild": MAP,
    "valuesFrom": LIST_OF_MAPS,
    "dependsOn": LIST,
}
_ITEMS: dict[str, dict[str, Shape]] = {
    "containers": _CONTAINER,
    "initContainers": _CONTAINER,
    "ephemeralContainers": _CONTAINER,
    "containerStatuses": _CONTAINER_STATUS,
    "initContainerStatuses": _CONTAINER_STATUS,
}
"""Conditions are only checked to be a list of maps: their readers compare and print their fields, which any
type survives, and there are many of them on every object."""


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_TYPES: dict[Shape, type] = {INT: int, STR: str, MAP: dict, LIST: list}


def _shape_problem(shape: Shape, value: Any) -> str | None:
    expected = _TYPES.get(shape)
    if expected is not None:
        # parsed JSON/YAML holds exact types: far cheaper than isinstance against ABCs
        return None if type(value) is expected else f"expected {shape}, got {_describe(value)}"
    if type(value) is not list:
        return f"expected a list, got {_describe(value)}"
    for i, item in enumerate(value):
        if type(item) is not dict:
            return f"[{i}]: expected a map, got {_describe(item)}"
    return None


def _check(mapping: Mapping[str, Any], fields: Mapping[str, Shape], prefix: str) -> str | None:
    # only the keys both have (a set operation in C): this runs on every object loaded
    keys = mapping.keys() & fields.keys()
    for key in sorted(keys) if len(keys) > 1 else keys:
        value = mapping[key]
        if value is None:
            continue
        expected = _TYPES.get(fields[key])
        if expected is not None and type(value) is expected:
            continue
        problem = _shape_problem(fields[key], value)
        if problem:
            return f"{prefix}{key}{problem}" if problem.startswith("[") else f"{prefix}{key}: {problem}"
    return None


def _check_section(section: dict[str, Any], prefix: str, extra: Mapping[str, Shape] = {}) -> str | None:
    problem = _check(section, _WORKLOAD, prefix) or (_check(section, extra, prefix) if extra else None)
    if problem:
        return problem
    for key in section.keys() & _ITEMS.keys():
        value = section[key]
        if type(value) is not list:
            continue
        item_fields = _ITEMS[key]
        for i, item in enumerate(value[:500]):
            problem = _check(item, item_fields, "")
            if problem:
                return f"{prefix}{key}[{i}].{problem}"
    return None


def _builtin(api_version: Any) -> bool:
    group = api_version.rpartition("/")[0] if isinstance(api_version, str) else ""
    return "." not in group or (group.endswith(".k8s.io") and not group.startswith(("gateway.", "snapshot.")))


# -- the fast path: every object loaded goes through it; only a failing one takes the path that names the field
def _pytype(shape: Shape) -> type:
    return _TYPES.get(shape, list)


_TOP_T = {key: _pytype(shape) for key, shape in _TOP.items()}
_TOP_BY_KIND_T = {
    kind: {key: _pytype(shape) for key, shape in fields.items()} for kind, fields in _TOP_BY_KIND.items()
}
_METADATA_T = {key: _pytype(shape) for key, shape in _METADATA.items()}
_WORKLOAD_T = {key: _pytype(shape) for key, shape in _WORKLOAD.items()}
_MAP_LISTS = frozenset(key for key, shape in _WORKLOAD.items() if shape == LIST_OF_MAPS)
_ITEMS_T: dict[str, tuple[tuple[str, type, bool], ...]] = {
    key: tuple((name, _pytype(shape), shape == LIST_OF_MAPS) for name, shape in fields.items())
    for key, fields in _ITEMS.items()
}


def _types_ok(mapping: dict[str, Any], types: dict[str, type]) -> bool:
    # every key looked up, rather than the keys both have taken as a set: cheaper on maps of a few keys
    expected_type = types.get
    for key, value in mapping.items():
        expected = expected_type(key)
        if expected is not None and type(value) is not expected and value is not None:
            return False
    return True


def _section_ok(section: dict[str, Any]) -> bool:
    expected_type = _WORKLOAD_T.get
    for key, value in section.items():
        expected = expected_type(key)
        if expected is None or value is None:
            continue
        if type(value) is not expected:
            return False
        if key in _MAP_LISTS:
            fields = _ITEMS_T.get(key, ())
            for item in cast(list[Any], value):
                if type(item) is not dict:
                    return False
                for name, field_type, map_list in fields:
                    field = item.get(name)
                    if field is None:
                        continue
                    if type(field) is not field_type or (
                        map_list and any(type(x) is not dict for x in cast(list[Any], field))
                    ):
                        return False
    return True


_BUILTIN_VERSIONS: dict[str, bool] = {}


def _builtin_version(api_version: Any) -> bool:
    """:func:`_builtin`, remembered per apiVersion (a snapshot holds a few dozen)."""
    if type(api_version) is not str:
        return _builtin(api_version)
    known = _BUILTIN_VERSIONS.get(api_version)
    if known is None:
        known = _builtin(api_version)
        if len(_BUILTIN_VERSIONS) < 1024:  # bounded, whatever a hostile file holds
            _BUILTIN_VERSIONS[api_version] = known
    return known


_EXTRA_TOP_T = {kind: types for kind, types in _TOP_BY_KIND_T.items() if types.keys() - _TOP_T.keys()}
"""The kinds with checked top-level fields besides the sections (Events, ConfigMaps, Secrets)."""
_HELM_SPEC_T = {key: _pytype(shape) for key, shape in _HELM_SPEC.items()}


def _quick_ok(raw: Mapping[str, Any]) -> bool:
    if type(raw) is not dict:
        return False
    kind = raw.get("kind")
    meta, spec, status = shape.sections(raw)
    if not (
        (meta is None or type(meta) is dict)
        and (spec is None or type(spec) is dict)
        and (status is None or type(status) is dict)
    ):
        return False
    extra = _EXTRA_TOP_T.get(kind) if type(kind) is str else None
    if extra is not None and not _types_ok(raw, extra):
        return False
    if meta is not None and not _types_ok(meta, _METADATA_T):
        return False
    if not _builtin_version(raw.get("apiVersion")):
        if kind == "HelmRelease" or kind == "Kustomization":
            return _flux_ok(meta, spec)
        return True
    if (spec is not None and not _section_ok(spec)) or (status is not None and not _section_ok(status)):
        return False
    if kind == "CronJob":
        return False  # rare: the slow path walks its job template
    template = spec.get("template") if spec is not None else None
    template_spec = shape.value(template, "spec") if type(template) is dict else None
    return type(template_spec) is not dict or _section_ok(template_spec)


def _flux_ok(meta: dict[str, Any] | None, spec: dict[str, Any] | None) -> bool:
    """What the slow path checks of a HelmRelease or a Kustomization besides the types checked already: the
    owner references are maps, and the Flux spec fields every reader relies on have their type."""
    owners = meta.get("ownerReferences") if meta is not None else None
    if owners is not None and any(type(owner) is not dict for owner in owners):
        return False
    if spec is None:
        return True
    if not _types_ok(spec, _HELM_SPEC_T):
        return False
    values_from = spec.get("valuesFrom")
    return values_from is None or all(type(item) is dict for item in values_from)


def malformed_field(raw: Mapping[str, Any]) -> str | None:
    """``"spec.replicas: expected an integer, got 'zzz'"`` for the first malformed field, or None."""
    if _quick_ok(raw):
        return None
    kind = raw.get("kind")
    problem = _check(raw, _TOP_BY_KIND.get(kind, _TOP) if isinstance(kind, str) else _TOP, "")
    if problem:
        return problem
    meta, spec, status = shape.sections(raw)
    if type(meta) is dict:
        problem = _check(meta, _METADATA, "metadata.")
        if problem:
            return problem
    if not _builtin(raw.get("apiVersion")):
        # custom resources name their fields as they like (Longhorn's spec.nodeSelector is a list): only the
        # Flux fields every reader relies on are checked; the engine contains the rest per object
        if kind in ("HelmRelease", "Kustomization") and isinstance(spec, Mapping):
            return _check(spec, _HELM_SPEC, "spec.")
        return None
    extra: Mapping[str, Shape] = {}
    for name, section in (("spec", spec), ("status", status)):
        if type(section) is dict:
            if kind == "CronJob" and name == "status":
                # a CronJob's status.active lists its running Jobs (a Job's is a count)
                problem = _check(section, _CRONJOB_STATUS, "status.")
                section = {key: value for key, value in section.items() if key != "active"}
                if problem:
                    return problem
            problem = _check_section(section, f"{name}.", extra)
            if problem:
                return problem
    template = shape.cronjob_template(raw) if kind == "CronJob" else shape.pod_template(raw)
    template_spec = shape.value(template, "spec") if isinstance(template, Mapping) else None
    if type(template_spec) is dict:
        return _check_section(template_spec, "spec.template.spec.")
    return None


def object_name(raw: Mapping[str, Any]) -> str:
    meta = shape.value(raw, "metadata")
    meta = meta if type(meta) is dict else {}
    name, namespace = str(meta.get("name", "")), meta.get("namespace")
    return f"{raw.get('kind')} {namespace}/{name}" if namespace else f"{raw.get('kind')} {name}"


def malformed_message(raw: Mapping[str, Any], problem: str) -> str:
    return f"{object_name(raw)}: {problem}; object skipped (its checks cannot read it)"
