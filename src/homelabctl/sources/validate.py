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
_METADATA_ANY_OWNERS: dict[str, Shape] = {**_METADATA, "ownerReferences": LIST}
"""The metadata of all but Flux's kinds, on both paths: a list of owners, of any items."""
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


# -- the fast path: every object loaded goes through it; only a failing one takes the path that names the field.
# Which fields are checked, and how, depends only on the object's shape: its kind, apiVersion and the keys of its
# sections. Thousands of objects share a few dozen shapes, so the plan of each is made once and remembered; the
# keys are read in C (strings with their hash cached), and only the fields a plan names are looked at.
def _pytype(shape: Shape) -> type:
    return _TYPES.get(shape, list)


_PLANS_LIMIT = 1024
"""Plans remembered per table: a snapshot's objects have a few dozen shapes; a hostile one cannot make the
memory grow (the table starts afresh when full)."""
_SHAPE_KEYS_LIMIT = 64
_KEY_CHARS_LIMIT = 128
"""Only the plans of shapes of at most so many keys per map, each a string of at most so many characters,
are remembered: they hold those keys."""

Check = tuple[str, type, "_Table | None"]
"""A field to look at: its name, its expected type (None always passes), and for a list of maps, the table
its items follow (:data:`_MAPS`: they only have to be maps)."""


class _Table:
    """The expected type of a map's fields, the lists of maps whose items are looked at, and the plan of each
    shape (tuple of keys) seen so far: the fields it has that the table checks."""

    __slots__ = ("plans", "types", "walked")

    def __init__(self, fields: Mapping[str, Shape], walked: Mapping[str, _Table] = {}) -> None:
        self.types = {key: _pytype(shape) for key, shape in fields.items()}
        self.walked = dict(walked)
        self.plans: dict[tuple[Any, ...], tuple[Check, ...]] = {}

    def checks(self, keys: tuple[Any, ...]) -> tuple[Check, ...]:
        types = self.types
        return tuple(
            (key, types[key], self.walked.get(key)) for key in keys if type(key) is str and key in types
        )

    def plan(self, keys: tuple[Any, ...]) -> tuple[Check, ...]:
        plan = self.checks(keys)
        if _rememberable(keys, len(keys)):
            if len(self.plans) >= _PLANS_LIMIT:
                self.plans.clear()
            self.plans[keys] = plan
        return plan


def _rememberable(parts: tuple[Any, ...], keys: int) -> bool:
    """Whether a shape's plan may be remembered (it holds the shape's keys, and a kind and an apiVersion)."""
    return keys <= _SHAPE_KEYS_LIMIT and all(
        part is None or part is _NEXT_MAP or (type(part) is str and len(part) <= _KEY_CHARS_LIMIT)
        for part in parts
    )


_MAPS = _Table({})
"""Items that only have to be maps."""


def _map_ok(mapping: Mapping[str, Any], table: _Table) -> bool:
    keys = tuple(mapping)
    plan = table.plans.get(keys)
    if plan is None:
        plan = table.plan(keys)
    for key, expected, items in plan:
        value = mapping[key]
        if type(value) is not expected:
            if value is None:
                continue
            return False
        if items is not None:
            # read again: a list here, which the check above narrows no type checker to
            for item in mapping[key]:
                if type(item) is not dict or (items is not _MAPS and not _map_ok(item, items)):
                    return False
    return True


_CONTAINER_TABLE = _Table(
    _CONTAINER, {key: _MAPS for key, shape in _CONTAINER.items() if shape == LIST_OF_MAPS}
)
_CONTAINER_STATUS_TABLE = _Table(_CONTAINER_STATUS)
_SECTION = _Table(
    _WORKLOAD,
    {
        key: (_CONTAINER_TABLE if _ITEMS[key] is _CONTAINER else _CONTAINER_STATUS_TABLE)
        if key in _ITEMS
        else _MAPS
        for key, shape in _WORKLOAD.items()
        if shape == LIST_OF_MAPS
    },
)
"""spec, status and a pod template's spec of a built-in kind."""
_METADATA_TABLE = _Table(_METADATA_ANY_OWNERS)
"""The items of ownerReferences are not looked at (the readers of built-in kinds take any item)..."""
_FLUX_METADATA_TABLE = _Table(_METADATA, {"ownerReferences": _MAPS})
"""... but those of a HelmRelease or a Kustomization are, as the path that names the field does."""
_FLUX_SPEC_TABLE = _Table(_HELM_SPEC, {"valuesFrom": _MAPS})
_EXTRA_TOP = {
    kind: _Table({key: shape for key, shape in fields.items() if key not in _TOP})
    for kind, fields in _BY_KIND.items()
    if fields
}
"""The kinds with checked top-level fields besides the sections (Events, ConfigMaps, Secrets), and those."""

_NEXT_MAP = object()
"""Between the keys of two sections in an object's shape (no parsed key is this object)."""
_EMPTY: dict[str, Any] = {}
"""An absent section (never written to)."""
ObjectPlan = tuple[
    tuple[tuple[int, str, type], ...], tuple[tuple[int, str, _Table], ...], _Table | None, bool
]
"""What to look at of an object of a given shape: see :func:`_object_plan`."""
_OBJECT_PLANS: dict[tuple[Any, ...], ObjectPlan] = {}
_SLOW_PATH: ObjectPlan = ((), (), None, False)
"""The plan of a built-in CronJob: the path that names the field judges it (it walks the job template)."""


def _object_plan(
    kind: str | None, api_version: str | None, sections: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]
) -> ObjectPlan:
    """The checked fields of the sections, each with the index of its section (metadata, spec, status): those
    with a type to check, then the lists of maps, each with the table of its items; the table of the checked
    top-level fields besides the sections (None: none); whether to look at the pod template."""
    builtin = _builtin(api_version)
    if kind == "CronJob" and builtin:
        return _SLOW_PATH
    tables: tuple[_Table | None, _Table | None, _Table | None]
    if builtin:
        tables = (_METADATA_TABLE, _SECTION, _SECTION)
    elif kind == "HelmRelease" or kind == "Kustomization":
        tables = (_FLUX_METADATA_TABLE, _FLUX_SPEC_TABLE, None)
    else:  # custom resources name their fields as they like
        tables = (_METADATA_TABLE, None, None)
    checks = [
        (where, key, expected, items)
        for where, (table, section) in enumerate(zip(tables, sections, strict=True))
        if table is not None
        for key, expected, items in table.checks(tuple(section))
    ]
    typed = tuple((where, key, expected) for where, key, expected, items in checks if items is None)
    lists = tuple((where, key, items) for where, key, _, items in checks if items is not None)
    extra = _EXTRA_TOP.get(kind) if kind is not None else None
    return typed, lists, extra, builtin and "template" in sections[1]


def _plan(
    shape_key: tuple[Any, ...],
    kind: str | None,
    api_version: str | None,
    sections: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> ObjectPlan:
    """:func:`_object_plan`, remembered for the shape when it can be."""
    plan = _object_plan(kind, api_version, sections)
    if _rememberable(shape_key, max(map(len, sections))):
        if len(_OBJECT_PLANS) >= _PLANS_LIMIT:
            _OBJECT_PLANS.clear()
        _OBJECT_PLANS[shape_key] = plan
    return plan


def _named_problem(raw: Mapping[str, Any]) -> str | None:
    """The first malformed field, named: the slow path, for the objects the fast path does not pass."""
    kind = raw.get("kind")
    problem = _check(raw, _TOP_BY_KIND.get(kind, _TOP) if isinstance(kind, str) else _TOP, "")
    if problem:
        return problem
    meta, spec, status = shape.sections(raw)
    builtin = _builtin(raw.get("apiVersion"))
    if type(meta) is dict:
        # ownerReferences items are maps only where the fast path asks it (Flux's kinds): the readers of every
        # other kind take any item, and a field named here must be one the fast path refuses too
        flux = not builtin and kind in ("HelmRelease", "Kustomization")
        problem = _check(meta, _METADATA if flux else _METADATA_ANY_OWNERS, "metadata.")
        if problem:
            return problem
    if not builtin:
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


def malformed_field(raw: Mapping[str, Any]) -> str | None:
    """``"spec.replicas: expected an integer, got 'zzz'"`` for the first malformed field, or None."""
    if type(raw) is not dict:
        return _named_problem(raw)
    meta, spec, status = shape.sections(raw)
    return malformed_sections(raw, raw.get("kind"), raw.get("apiVersion"), meta, spec, status)


def malformed_sections(
    raw: Mapping[str, Any], kind: Any, api_version: Any, meta: Any, spec: Any, status: Any
) -> str | None:
    """:func:`malformed_field` for a loader that has read the object's ``kind``, ``apiVersion``, ``metadata``,
    ``spec`` and ``status`` already (None where absent): the same answer, without reading them again. (The
    fast path: only an object it does not pass takes the path that names the field.)"""
    if not (
        type(raw) is dict
        and (meta is None or type(meta) is dict)
        and (spec is None or type(spec) is dict)
        and (status is None or type(status) is dict)
    ):
        return _named_problem(raw)
    sections = (meta or _EMPTY, spec or _EMPTY, status or _EMPTY)
    kind = kind if type(kind) is str else None  # any other kind is judged alike
    api_version = api_version if type(api_version) is str else None
    shape_key = (kind, api_version, *sections[0], _NEXT_MAP, *sections[1], _NEXT_MAP, *sections[2])
    plan = _OBJECT_PLANS.get(shape_key)
    if plan is None:
        plan = _plan(shape_key, kind, api_version, sections)
    if plan is _SLOW_PATH:
        return _named_problem(raw)
    typed, lists, extra, template = plan
    for where, key, expected in typed:
        value = sections[where][key]
        if type(value) is not expected and value is not None:
            return _named_problem(raw)
    for where, key, items in lists:
        value = sections[where][key]
        if type(value) is not list:
            if value is None:
                continue
            return _named_problem(raw)
        for item in value:
            if type(item) is not dict or (items is not _MAPS and not _map_ok(item, items)):
                return _named_problem(raw)
    if extra is not None and not _map_ok(raw, extra):
        return _named_problem(raw)
    if template:
        pod_template = sections[1]["template"]
        template_spec = shape.value(pod_template, "spec") if type(pod_template) is dict else None
        if type(template_spec) is dict and not _map_ok(template_spec, _SECTION):
            return _named_problem(raw)
    return None


def object_name(raw: Mapping[str, Any]) -> str:
    meta = shape.value(raw, "metadata")
    meta = meta if type(meta) is dict else {}
    name, namespace = str(meta.get("name", "")), meta.get("namespace")
    return f"{raw.get('kind')} {namespace}/{name}" if namespace else f"{raw.get('kind')} {name}"


def malformed_message(raw: Mapping[str, Any], problem: str) -> str:
    return f"{object_name(raw)}: {problem}; object skipped (its checks cannot read it)"
