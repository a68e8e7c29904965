"""Helpers the scan rules share: pod specs of any workload kind, walking Helm values, K3s detection."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from homelabctl.scan.flux import HelmReleaseInfo
from homelabctl.scan.registry import ScanContext
from homelabctl.scan.repo import Doc

WORKLOAD_KINDS = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob")
PathKey = str | int


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def dig(mapping: Any, *path: PathKey) -> Any:
    current = mapping
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, list) or not 0 <= step < len(current):
                return None
            current = current[step]
        else:
            if not isinstance(current, dict) or step not in current:
                return None
            current = current[step]
    return current


def pod_spec(doc: Doc) -> tuple[dict[str, Any], tuple[PathKey, ...]] | None:
    """The pod spec of a workload document and its key path, or None for other kinds."""
    if doc.kind not in WORKLOAD_KINDS or not isinstance(doc.data, dict):
        return None
    if doc.kind == "Pod":
        path: tuple[PathKey, ...] = ("spec",)
    elif doc.kind == "CronJob":
        path = ("spec", "jobTemplate", "spec", "template", "spec")
    else:
        path = ("spec", "template", "spec")
    spec = dig(doc.data, *path)
    return (spec, path) if isinstance(spec, dict) else None


def containers(spec: Mapping[str, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    for field_name in ("initContainers", "containers"):
        for i, container in enumerate(as_list(spec.get(field_name))):
            if isinstance(container, dict):
                yield field_name, i, container


def walk(value: Any, path: tuple[PathKey, ...] = ()) -> Iterator[tuple[tuple[PathKey, ...], Any]]:
    """Every (path, value) below ``value``, depth first, the container itself included."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk(item, (*path, i))


def dotted(path: tuple[PathKey, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def values_line(hr: HelmReleaseInfo, *path: PathKey) -> int:
    return hr.doc.line_of("spec", "values", *path)


def applied(ctx: ScanContext, doc: Doc) -> bool:
    return ctx.applied(doc)


_OTHER_DISTROS = re.compile(
    r"\b(talos|kubeadm|rke2|microk8s|k0s|eks|gke|aks|openshift|kind-cluster|minikube)\b", re.IGNORECASE
)
_K3S = re.compile(r"k3s", re.IGNORECASE)


def targets_k3s(ctx: ScanContext) -> tuple[bool, str]:
    """(does the repo target K3s, why we think so). ``--k3s``/``--no-k3s`` and the config decide first;
    then cluster variables, Kustomization names and paths, directory names and node names; K3s otherwise,
    since that is what this tool is for."""
    if ctx.options.k3s is not None:
        return ctx.options.k3s, "set by --k3s/--no-k3s or scan.k3s in .homelabctl.yaml"
    clues: list[tuple[str, str]] = []
    for key, value in ctx.graph.all_variables.items():
        clues.append((f"cluster variable {key}={value}", value))
    for ks in ctx.graph.kustomizations:
        clues.append((f"Kustomization {ks.label} path {ks.raw_path}", f"{ks.name} {ks.raw_path}"))
    for directory in sorted(ctx.repo.dirs):
        clues.append((f"directory {directory}/", directory.rsplit("/", 1)[-1]))
    for doc in ctx.repo.of_kind(*WORKLOAD_KINDS):
        found = pod_spec(doc)
        if found:
            host = as_dict(found[0].get("nodeSelector")).get("kubernetes.io/hostname")
            if isinstance(host, str):
                clues.append((f"node {host} ({doc.path})", host))
    for label, text in clues:
        if _K3S.search(text):
            return True, label
    for label, text in clues:
        if _OTHER_DISTROS.search(text):
            return False, label
    return True, "nothing in the repo names another distribution; K3s assumed (use --no-k3s otherwise)"


def is_enc(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith("ENC[") or "${" in value)


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")
