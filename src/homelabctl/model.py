"""Small frozen records every layer shares: severities, layers, object references, findings, resources."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, NamedTuple

import msgspec


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; lets `--min-severity` and `--fail-on` compare."""
        return {"critical": 3, "warning": 2, "info": 1}[self.value]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (expected critical, warning or info)") from None


class Layer(StrEnum):
    """Diagnosis order: a symptom in a later layer may be caused by an earlier one, never the reverse."""

    NETWORK = "network"
    NODE = "node"
    STORAGE = "storage"
    PLATFORM = "platform"
    WORKLOAD = "workload"
    GPU = "gpu"
    SECURITY = "security"
    BACKUP = "backup"
    MONITORING = "monitoring"

    @property
    def order(self) -> int:
        return _LAYER_ORDER[self]


_LAYER_ORDER = {layer: i for i, layer in enumerate(Layer)}


class Nature(StrEnum):
    """What a check judges. ``configuration``: the desired state (spec, metadata), which a manifest never
    applied also has. ``state``: what controllers and kubelets report (status, events), which it has not."""

    STATE = "state"
    CONFIGURATION = "configuration"


class Lifecycle(StrEnum):
    STABLE = "stable"
    PREVIEW = "preview"
    """New: its findings may still change shape or be noisy."""
    DEPRECATED = "deprecated"
    """Kept for a release so ignore lists keep working; will be removed."""


class ObjectRef(NamedTuple):
    """Kind, namespace (None for cluster-scoped) and name. A tuple, because graphs hash millions of them."""

    kind: str
    namespace: str | None
    name: str

    def __str__(self) -> str:
        if self.namespace:
            return f"{self.kind} {self.namespace}/{self.name}"
        return f"{self.kind} {self.name}"

    def to_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name}


class Finding(msgspec.Struct, frozen=True):
    """One problem on one object. ``id`` and ``root_cause`` are assigned when a report is built."""

    check: str
    layer: Layer
    severity: Severity
    object: ObjectRef
    message: str
    evidence: tuple[str, ...] = ()
    hint: str = ""
    file: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields every report shares; reports add their own (id, root_cause, file and line)."""
        return {
            "check": self.check,
            "layer": self.layer.value,
            "severity": self.severity.value,
            "object": self.object.to_dict(),
            "message": self.message,
            "evidence": list(self.evidence),
            "hint": self.hint,
        }

    @property
    def sort_key(self) -> tuple[int, int, str, str, str, str]:
        return (
            self.layer.order,
            -self.severity.rank,
            self.check,
            self.object.kind,
            self.object.namespace or "",
            self.object.name,
        )


_EMPTY_MAPPING: Mapping[str, Any] = {}


def _mapping(value: Any) -> Mapping[str, Any]:
    """Hand-written snapshots put lists or strings where the API has maps; checks see an empty map."""
    if type(value) is dict:  # the common case, without the ABC isinstance check (hot: every section read)
        return value
    if value is None:  # an absent section or labels (a third of objects have no spec, status or labels)
        return _EMPTY_MAPPING
    return value if isinstance(value, Mapping) else _EMPTY_MAPPING


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if type(item) is dict or isinstance(item, Mapping)]


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0] if "/" in api_version else ""


def group_kind(api_version: str, kind: str) -> str:
    """``Pod`` for the core group, ``Deployment.apps``, ``Node.longhorn.io``: the key objects are indexed by."""
    group = group_of(api_version)
    return f"{kind}.{group}" if group else kind


_GROUP_KINDS: dict[tuple[str, str], str] = {}
"""``group_kind`` answers by (apiVersion, kind), so that every object of a kind holds the same ``gk`` string
rather than a copy of its own (~300 KiB at 10,000 objects). Bounded: a long-running watch may be fed anything."""
_GROUP_KINDS_MAX = 1024


class _ResourceFields:
    """The fields of a :class:`Resource`, writable: the layout Resource and :class:`_FillingResource` share."""

    __slots__ = (
        "api_version",
        "gk",
        "kind",
        "labels",
        "metadata",
        "name",
        "namespace",
        "raw",
        "spec",
        "status",
    )

    api_version: str
    kind: str
    namespace: str | None
    name: str
    raw: Mapping[str, Any]
    gk: str
    """Group-kind, computed once: the index, every check and the graph ask for it."""
    # The sections every check reads, read once per object here rather than once per check per object
    # (raw is never mutated after loading, so they cannot go stale).
    metadata: Mapping[str, Any]
    labels: Mapping[str, str]
    spec: Mapping[str, Any]
    status: Mapping[str, Any]


class Resource(_ResourceFields):
    """A Kubernetes object as the API returned it. ``raw`` is never mutated after loading.

    Frozen, equal and hashed by (api_version, kind, namespace, name); ``raw`` and what is read from it are left
    out of both, and of the repr. (Written out rather than a dataclass: its fields need compare/repr/init=False,
    which a msgspec Struct cannot express, and building the dataclass at import cost ~1 ms of every start.)"""

    __slots__ = ()

    def __init__(
        self,
        api_version: str,
        kind: str,
        namespace: str | None,
        name: str,
        raw: Mapping[str, Any],
        gk: str = "",
    ) -> None:
        _set_api_version(self, api_version)
        _set_kind(self, kind)
        _set_namespace(self, namespace)
        _set_name(self, name)
        _set_raw(self, raw)
        _set_gk(self, gk or group_kind(api_version, kind))
        # ``type(...) is dict`` answers the common case without a call
        meta = raw.get("metadata")
        if type(meta) is not dict:
            meta = _mapping(meta)
        _set_metadata(self, meta)
        labels = meta.get("labels")
        _set_labels(self, labels if type(labels) is dict else _mapping(labels))
        spec = raw.get("spec")
        _set_spec(self, spec if type(spec) is dict else _mapping(spec))
        status = raw.get("status")
        _set_status(self, status if type(status) is dict else _mapping(status))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a Resource is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a Resource is frozen")

    def __eq__(self, other: object) -> bool:
        if type(other) is not Resource:
            return NotImplemented
        return (self.api_version, self.kind, self.namespace, self.name) == (
            other.api_version,
            other.kind,
            other.namespace,
            other.name,
        )

    def __hash__(self) -> int:
        return hash((self.api_version, self.kind, self.namespace, self.name))

    def __repr__(self) -> str:
        return (
            f"Resource(api_version={self.api_version!r}, kind={self.kind!r}, namespace={self.namespace!r}, "
            f"name={self.name!r}, gk={self.gk!r})"
        )

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> Resource:
        """(Hot: once per object loaded.) The same object ``Resource(...)`` builds."""
        get = raw.get
        return cls.from_parts(
            raw, get("apiVersion", ""), get("kind", ""), get("metadata"), get("spec"), get("status")
        )

    @classmethod
    def from_parts(
        cls, raw: Mapping[str, Any], api_version: Any, kind: Any, meta: Any, spec: Any, status: Any
    ) -> Resource:
        """:meth:`from_raw`, given the fields of ``raw`` the caller has read already (the loader reads each
        once): ``apiVersion`` and ``kind`` ("" where absent), ``metadata``, ``spec`` and ``status`` as found."""
        if type(meta) is not dict:
            meta = _mapping(meta)
        if type(api_version) is not str:
            api_version = str(api_version)
        if type(kind) is not str:
            kind = str(kind)
        name = meta.get("name", "")
        labels = meta.get("labels")
        gk = _GROUP_KINDS.get((api_version, kind))
        if gk is None:
            gk = group_kind(api_version, kind)
            if len(_GROUP_KINDS) < _GROUP_KINDS_MAX:
                _GROUP_KINDS[(api_version, kind)] = gk
        # filled as a _FillingResource (plain attribute stores, the interpreter's fastest: ~0.2 µs against ~0.9
        # through the slots' setters, at every object loaded), then made the Resource it is from then on
        res = _new_object(_FillingResource)
        res.api_version = api_version
        res.kind = kind
        res.namespace = meta.get("namespace") or None
        res.name = name if type(name) is str else str(name)
        res.raw = raw
        res.gk = gk
        res.metadata = meta
        res.labels = labels if type(labels) is dict else _mapping(labels)
        res.spec = spec if type(spec) is dict else _mapping(spec)
        res.status = status if type(status) is dict else _mapping(status)
        res.__class__ = Resource  # type: ignore[assignment]  # same layout: only the frozen methods change
        return res  # type: ignore[return-value]  # a Resource now (the line above)

    @property
    def group(self) -> str:
        return group_of(self.api_version)

    @property
    def ref(self) -> ObjectRef:
        # tuple.__new__ itself: the NamedTuple's own __new__ is a Python function, and the diagnosis asks for
        # thousands of refs (~4,000 instructions each through it, a few hundred this way)
        return _new_tuple(ObjectRef, (self.kind, self.namespace, self.name))

    @property
    def uid(self) -> str:
        return str(self.metadata.get("uid", ""))

    @property
    def annotations(self) -> Mapping[str, str]:
        return _mapping(self.metadata.get("annotations"))

    @property
    def data(self) -> Mapping[str, Any]:
        return _mapping(self.raw.get("data"))

    @property
    def owner_references(self) -> list[Mapping[str, Any]]:
        return _mappings(self.metadata.get("ownerReferences"))

    @property
    def controller_owner(self) -> Mapping[str, Any] | None:
        for owner in self.owner_references:
            if owner.get("controller"):
                return owner
        return self.owner_references[0] if self.owner_references else None

    @property
    def creation_timestamp(self) -> str | None:
        value = self.metadata.get("creationTimestamp")
        return str(value) if value else None

    @property
    def deletion_timestamp(self) -> str | None:
        value = self.metadata.get("deletionTimestamp")
        return str(value) if value else None

    @property
    def conditions(self) -> list[Mapping[str, Any]]:
        return _mappings(self.status.get("conditions"))

    def condition(self, type_: str) -> Mapping[str, Any] | None:
        for cond in self.conditions:
            if cond.get("type") == type_:
                return cond
        return None

    def is_condition_true(self, type_: str) -> bool | None:
        """True/False when the condition is reported, None when it is absent or Unknown."""
        cond = self.condition(type_)
        if cond is None:
            return None
        status = cond.get("status")
        if status == "True":
            return True
        if status == "False":
            return False
        return None


_new_object = object.__new__
_new_tuple = tuple.__new__


class _FillingResource(_ResourceFields):
    """A Resource being filled in by :meth:`Resource.from_parts`; never seen outside it."""

    __slots__ = ()


def _slot_setter(field_name: str) -> Callable[[Resource, Any], None]:
    setter: Callable[[Resource, Any], None] = getattr(Resource, field_name).__set__
    return setter


# the slots' own setters: they write a frozen instance's fields without its __setattr__ (Resource.__init__)
_set_api_version = _slot_setter("api_version")
_set_kind = _slot_setter("kind")
_set_namespace = _slot_setter("namespace")
_set_name = _slot_setter("name")
_set_raw = _slot_setter("raw")
_set_gk = _slot_setter("gk")
_set_metadata = _slot_setter("metadata")
_set_labels = _slot_setter("labels")
_set_spec = _slot_setter("spec")
_set_status = _slot_setter("status")
