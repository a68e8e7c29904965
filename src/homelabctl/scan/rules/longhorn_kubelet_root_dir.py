from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from homelabctl.knowledge.csi import is_longhorn_image
from homelabctl.kube import K3S_KUBELET_DIR, STANDARD_KUBELET_DIR
from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import Doc
from homelabctl.scan.rules._common import (
    PathKey,
    as_dict,
    as_list,
    containers,
    dig,
    pod_spec,
    targets_k3s,
    values_line,
)


def _wrong(value: object) -> bool:
    return isinstance(value, str) and "${" not in value and value.rstrip("/") != K3S_KUBELET_DIR


@rule("longhorn-kubelet-root-dir", layer=Layer.STORAGE, severity=Severity.CRITICAL)
def longhorn_kubelet_root_dir(ctx: ScanContext) -> Iterator[Finding]:
    """Longhorn is configured with a kubelet root dir other than K3s's, on a repo that targets K3s.

    Reads Longhorn HelmRelease values (``csi.kubeletRootDir`` and any ``defaultSettings`` key naming the
    kubelet dir) and, for manifest installs, the ``longhorn-driver-deployer`` ``--kubelet-root-dir`` arg /
    ``KUBELET_ROOT_DIR`` env and ``hostPath`` volumes under ``/var/lib/kubelet`` in Longhorn's workloads
    (those in ``longhorn-system`` and, in whatever namespace Longhorn was installed, those running a
    ``longhornio/`` image). K3s keeps the kubelet in ``/var/lib/rancher/k3s/agent/kubelet``: any other path makes the CSI
    plugin register its socket where the kubelet never looks, volumes stop attaching and Longhorn has to be
    reinstalled. Whether the repo targets K3s comes from ``--k3s``/``--no-k3s``, the config, or clues in
    cluster variables, Kustomization paths, directory and node names (K3s is assumed otherwise). Leaving
    ``csi.kubeletRootDir`` unset is fine: Longhorn detects the path.

    Next step: set ``csi.kubeletRootDir: /var/lib/rancher/k3s/agent/kubelet`` (or remove it) before the
    next reconcile, and never change it on a running cluster without a storage migration plan.
    """
    k3s, why = targets_k3s(ctx)
    if not k3s:
        return
    for hr in ctx.helm_releases("longhorn"):
        found = [(("csi", "kubeletRootDir"), dig(hr.values, "csi", "kubeletRootDir"))]
        for key, value in as_dict(hr.values.get("defaultSettings")).items():
            if "kubelet" in str(key).lower():
                found.append((("defaultSettings", str(key)), value))
        for path, value in found:
            if not _wrong(value):
                continue
            yield ctx.finding(
                hr.doc,
                f"HelmRelease {hr.namespace}/{hr.name} sets Longhorn {'.'.join(path)} to {value}, but K3s runs "
                f"the kubelet in {K3S_KUBELET_DIR}",
                evidence=[f"values.{'.'.join(path)}: {value}", f"repo targets K3s: {why}"],
                hint=f"Set {'.'.join(path)}: {K3S_KUBELET_DIR} (or remove it; Longhorn detects it) before the "
                f"next reconcile",
                line=values_line(hr, *path),
            )
    for doc in ctx.repo.objects:
        found_spec = pod_spec(doc)
        if found_spec is None or not ctx.applied(doc):
            continue
        namespace = ctx.graph.namespace_of(doc)
        if namespace != LONGHORN_NAMESPACE and not _runs_longhorn(found_spec[0]):
            continue
        yield from _manifest_findings(ctx, doc, namespace, found_spec, why)


LONGHORN_NAMESPACE = "longhorn-system"


def _runs_longhorn(spec: dict[str, Any]) -> bool:
    for _, _, container in containers(spec):
        image = container.get("image")
        if isinstance(image, str) and is_longhorn_image(image):
            return True
    return False


def _manifest_findings(
    ctx: ScanContext,
    doc: Doc,
    namespace: str | None,
    found_spec: tuple[dict[str, Any], tuple[PathKey, ...]],
    why: str,
) -> Iterator[Finding]:
    """A Longhorn manifest's containers' --kubelet-root-dir and KUBELET_ROOT_DIR, and its hostPath volumes."""
    spec, prefix = found_spec
    for field, ci, container in containers(spec):
        for ai, arg in enumerate(as_list(container.get("args"))):
            if isinstance(arg, str) and arg.startswith("--kubelet-root-dir="):
                value = arg.split("=", 1)[1]
                if _wrong(value):
                    yield _manifest_finding(
                        ctx, doc, namespace, f"arg {arg}", why, doc.line_of(*prefix, field, ci, "args", ai)
                    )
        for ei, env in enumerate(as_list(container.get("env"))):
            if isinstance(env, dict) and env.get("name") == "KUBELET_ROOT_DIR" and _wrong(env.get("value")):
                yield _manifest_finding(
                    ctx,
                    doc,
                    namespace,
                    f"env KUBELET_ROOT_DIR={env.get('value')}",
                    why,
                    doc.line_of(*prefix, field, ci, "env", ei, "value"),
                )
    for vi, volume in enumerate(as_list(spec.get("volumes"))):
        path = dig(volume, "hostPath", "path")
        if isinstance(path, str) and (
            path == STANDARD_KUBELET_DIR or path.startswith(STANDARD_KUBELET_DIR + "/")
        ):
            yield _manifest_finding(
                ctx,
                doc,
                namespace,
                f"hostPath volume {dig(volume, 'name')}: {path}",
                why,
                doc.line_of(*prefix, "volumes", vi, "hostPath", "path"),
            )


def _manifest_finding(
    ctx: ScanContext, doc: Doc, namespace: str | None, what: str, why: str, line: int
) -> Finding:
    return ctx.finding(
        doc,
        f"{doc.kind} {namespace}/{doc.name} uses {what}, but K3s runs the kubelet in {K3S_KUBELET_DIR}",
        evidence=[what, f"repo targets K3s: {why}"],
        hint=f"Use {K3S_KUBELET_DIR} (regenerate the Longhorn manifest with the K3s kubelet root dir)",
        line=line,
    )
