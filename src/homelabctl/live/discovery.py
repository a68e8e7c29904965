"""What a served snapshot looks like through API discovery: which resources exist, at which versions.

Built from a :class:`ClusterState`: the kinds catalogue names the kinds homelabctl knows, CRD objects in the
snapshot name (and give printer columns to) the custom ones, and everything else gets the name the API
server would derive. A kind's :class:`KindStatus` in the snapshot decides how it is served: readable kinds
are listed, kinds captured as forbidden answer 403, kinds the snapshot simply does not hold answer 404,
CRDs that were not installed are not discoverable at all.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import msgspec

from homelabctl import kinds
from homelabctl.k8s import crd_schemas
from homelabctl.sources.base import ClusterState, KindStatus

# Built-in kinds homelabctl does not read but that snapshots often hold; named so serve lists them properly.
EXTRA_BUILTINS: tuple[kinds.KindInfo, ...] = (
    kinds.KindInfo("Lease", "coordination.k8s.io", "v1", "leases", True),
    kinds.KindInfo("Role", "rbac.authorization.k8s.io", "v1", "roles", True),
    kinds.KindInfo("RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings", True),
    kinds.KindInfo("ClusterRole", "rbac.authorization.k8s.io", "v1", "clusterroles", False),
    kinds.KindInfo("ClusterRoleBinding", "rbac.authorization.k8s.io", "v1", "clusterrolebindings", False),
    kinds.KindInfo(
        "HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers", True, ("hpa",)
    ),
    kinds.KindInfo("LimitRange", "", "v1", "limitranges", True, ("limits",)),
    kinds.KindInfo("ReplicationController", "", "v1", "replicationcontrollers", True, ("rc",)),
    kinds.KindInfo("PodTemplate", "", "v1", "podtemplates", True),
    kinds.KindInfo("ControllerRevision", "apps", "v1", "controllerrevisions", True),
    kinds.KindInfo("CSIStorageCapacity", "storage.k8s.io", "v1", "csistoragecapacities", True),
    kinds.KindInfo("APIService", "apiregistration.k8s.io", "v1", "apiservices", False),
)
_KNOWN: dict[str, kinds.KindInfo] = {info.gk: info for info in (*kinds.KINDS, *EXTRA_BUILTINS)}
_ALL_CATEGORY = {
    "Pod",
    "Service",
    "ReplicationController",
    "Deployment.apps",
    "StatefulSet.apps",
    "DaemonSet.apps",
    "ReplicaSet.apps",
    "Job.batch",
    "CronJob.batch",
    "HorizontalPodAutoscaler.autoscaling",
}
BUILTIN_GROUPS = {"", "apps", "batch", "autoscaling", "policy"}
READ_VERBS = ("get", "list", "watch")

_VERSION_RE = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Sort key, highest first when sorted ascending: GA before beta before alpha, then higher numbers."""
    match = _VERSION_RE.match(version)
    if not match:
        return (3, 0, 0, version)
    major, stability, minor = match.groups()
    rank = {None: 0, "beta": 1, "alpha": 2}[stability]
    return (rank, -int(major), -int(minor or 0), version)


def split_gk(gk: str) -> tuple[str, str]:
    kind, _, group = gk.partition(".")
    return kind, group


def is_builtin_group(group: str) -> bool:
    return group in BUILTIN_GROUPS or (
        group.endswith(".k8s.io")
        and group not in (kinds.GATEWAY, "snapshot.storage.k8s.io", "metrics.k8s.io")
    )


def guess_plural(kind: str) -> str:
    """The plural the API server's naming derives from a kind when nothing better is known."""
    lower = kind.lower()
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return lower + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return lower[:-1] + "ies"
    return lower + "s"


class ServedKind(msgspec.Struct):
    gk: str
    kind: str
    group: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...]
    versions: tuple[str, ...]
    """Served versions, preferred first."""
    builtin: bool
    """Built-in kinds' list items carry no kind/apiVersion (as the API server sends them); CRs' items do."""
    status: KindStatus
    discoverable: bool
    categories: tuple[str, ...] = ()
    printer_columns: dict[str, list[dict[str, Any]]] = msgspec.field(default_factory=dict)
    """Per version, from the CRD object in the snapshot."""

    @property
    def resource_name(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def api_version(self, version: str) -> str:
        return f"{self.group}/{version}" if self.group else version

    @property
    def preferred_version(self) -> str:
        return self.versions[0]

    def api_resource(self) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "name": self.plural,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": list(READ_VERBS),
        }
        if self.short_names:
            resource["shortNames"] = list(self.short_names)
        if self.categories:
            resource["categories"] = list(self.categories)
        return resource


class Catalog:
    """Every kind the server knows, by group-kind and by (group, version, plural)."""

    def __init__(self, state: ClusterState) -> None:
        self.kinds: dict[str, ServedKind] = {}
        crds: dict[str, crd_schemas.ServedCrd] = {}
        for crd in state.index.all(kinds.CRD):
            names = crd_schemas.served(crd)
            if names is not None:
                crds[f"{names.kind}.{names.group}"] = names
        gks = set(state.index.kinds) | {info.gk for info in kinds.KINDS} | set(crds) | set(state.kind_status)
        for gk in sorted(gks):
            self.kinds[gk] = self._served(gk, state, crds.get(gk))
        self._by_path: dict[tuple[str, str, str], ServedKind] = {}
        self.groups: dict[str, list[str]] = defaultdict(list)
        for served in self.kinds.values():
            if not served.discoverable:
                continue
            for version in served.versions:
                self._by_path.setdefault((served.group, version, served.plural), served)
                if version not in self.groups[served.group]:
                    self.groups[served.group].append(version)
        for versions in self.groups.values():
            versions.sort(key=version_priority)

    @staticmethod
    def _served(gk: str, state: ClusterState, crd: crd_schemas.ServedCrd | None) -> ServedKind:
        kind, group = split_gk(gk)
        objects = state.index.all(gk)
        info = _KNOWN.get(gk)
        object_versions = {res.api_version.rpartition("/")[2] for res in objects if res.api_version}
        status = state.availability(gk)
        builtin = (
            (info is not None and not info.crd)
            if info is not None
            else (crd is None and is_builtin_group(group))
        )
        if crd is not None:
            plural, singular, namespaced = crd.plural, crd.singular, crd.namespaced
            short_names, categories = crd.short_names, crd.categories
            versions = set(crd.versions) | object_versions
        elif info is not None:
            plural, singular, namespaced = info.plural, info.singular_name, info.namespaced
            short_names, categories = info.short_names, ()
            versions = object_versions | ({info.version} if builtin or not object_versions else set())
        else:
            plural, singular = guess_plural(kind), kind.lower()
            namespaced = any(res.namespace for res in objects) or not objects
            short_names, categories = (), ()
            versions = object_versions or {"v1"}
        if gk in _ALL_CATEGORY:
            categories = ("all",)
        preferred = [
            v for v in (info.version if info else None, crd.storage_version if crd else None) if v in versions
        ]
        ordered = preferred[:1] + sorted(versions - set(preferred[:1]), key=version_priority)
        if status.state == "not_installed":
            discoverable = False
        elif builtin:
            discoverable = True
        else:
            discoverable = bool(objects) or crd is not None or gk in state.kind_status
        return ServedKind(
            gk,
            kind,
            group,
            plural,
            singular,
            namespaced,
            tuple(short_names),
            tuple(ordered),
            builtin,
            status,
            discoverable,
            tuple(categories),
            crd.printer_columns if crd else {},
        )

    def lookup(self, group: str, version: str, plural: str) -> ServedKind | None:
        return self._by_path.get((group, version, plural))

    def resources(self, group: str, version: str) -> list[ServedKind]:
        return sorted(
            (s for (g, v, _), s in self._by_path.items() if g == group and v == version),
            key=lambda s: s.plural,
        )

    def resolve(self, name: str) -> ServedKind | None:
        """``Pod``, ``pods``, ``po``, ``deployments.apps``, ``HelmRelease.helm.toolkit.fluxcd.io`` → the kind.

        Ambiguous names (``Node``, ``nodes``) resolve to the built-in kind first, as kubectl does.
        """
        if name in self.kinds:
            return self.kinds[name]
        lowered = name.lower()
        candidates = sorted(self.kinds.values(), key=lambda s: (not s.builtin, s.group, s.kind))
        for served in candidates:
            if lowered in (
                served.kind.lower(),
                served.plural,
                served.singular,
                served.resource_name,
                served.gk.lower(),
                *served.short_names,
            ):
                return served
        return None
