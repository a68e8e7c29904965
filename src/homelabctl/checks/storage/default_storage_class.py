from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.storage._common import (
    DEFAULT_CLASS_ANNOTATIONS,
    LOCAL_PATH_PROVISIONER,
    default_classes,
    effective_default,
    provisioner,
)
from homelabctl.k8s import storage
from homelabctl.model import Finding, Layer, Nature, Severity

_UNSET_DEFAULT = '{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"false"}}}'
_SET_DEFAULT = '{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}'


@check(
    "default-storage-class",
    layer=Layer.STORAGE,
    severity=Severity.WARNING,
    requires=[kinds.STORAGE_CLASS],
    uses=[kinds.PVC],
    nature=Nature.CONFIGURATION,
    areas=["resilience"],
)
def default_storage_class(ctx: CheckContext) -> Iterator[Finding]:
    """No default StorageClass, or more than one.

    Reads the ``storageclass.kubernetes.io/is-default-class`` (and legacy beta) annotation of every
    StorageClass, and the PVCs that name no class.

    Why it matters: with none, a PVC without ``storageClassName`` stays Pending forever; with several,
    the API silently gives it the newest default, so a chart's data can land on K3s' ``local-path``
    instead of Longhorn (or the reverse) depending on install order. K3s re-applies its ``local-path``
    manifest with the default annotation at every server restart.

    Next step: keep exactly one default: unset the annotation on the other classes (and on K3s start the
    server with ``--disable local-storage`` or ``--default-local-storage-path`` only, so it stops
    re-marking local-path).
    """
    classes = list(ctx.index.all(kinds.STORAGE_CLASS))
    if not classes:
        return
    defaults = sorted(default_classes(ctx.index), key=lambda sc: sc.name)
    unnamed = [c for c in ctx.index.all(kinds.PVC) if storage.claim(c).storage_class is None]
    chosen = effective_default(ctx.index)
    if len(defaults) > 1 and chosen is not None:
        others = [sc.name for sc in defaults if sc is not chosen]
        local = [sc.name for sc in defaults if provisioner(sc) == LOCAL_PATH_PROVISIONER]
        evidence = [
            f"StorageClass {sc.name}: provisioner {provisioner(sc)}, created {sc.creation_timestamp or '?'}, "
            + ", ".join(f"{a}={sc.annotations[a]}" for a in DEFAULT_CLASS_ANNOTATIONS if a in sc.annotations)
            for sc in defaults
        ]
        if unnamed:
            evidence.append(f"{len(unnamed)} PVC(s) name no storageClassName and get {chosen.name}")
        target = local[0] if local and chosen.name not in local else others[0]
        k3s = (
            " (K3s re-marks local-path on restart: `--disable local-storage` if you do not use it)"
            if local
            else ""
        )
        yield ctx.finding(
            chosen,
            f"{len(defaults)} StorageClasses are marked default ({', '.join(sc.name for sc in defaults)}): claims "
            f"without a class get {chosen.name}, the newest",
            evidence=evidence,
            hint=f"`kubectl patch storageclass {target} -p '{_UNSET_DEFAULT}'` for all but one{k3s}",
        )
    elif not defaults:
        used = Counter(cls for c in ctx.index.all(kinds.PVC) if (cls := storage.claim(c).storage_class))
        candidate = max(
            classes, key=lambda sc: (used.get(sc.name, 0), provisioner(sc) != LOCAL_PATH_PROVISIONER, sc.name)
        )
        evidence = [
            f"StorageClasses: {', '.join(sorted(sc.name for sc in classes))}; none has "
            f"{DEFAULT_CLASS_ANNOTATIONS[0]}=true"
        ]
        pending = [c for c in unnamed if storage.claim(c).phase == "Pending"]
        if pending:
            evidence.append(
                "Pending PVCs without storageClassName: "
                + ", ".join(f"{c.namespace}/{c.name}" for c in pending[:5])
            )
        if used:
            evidence.append(f"{candidate.name} is the most used class ({used.get(candidate.name, 0)} PVCs)")
        yield ctx.finding(
            candidate,
            "No StorageClass is marked default: PVCs that name no class stay Pending",
            evidence=evidence,
            hint=f"`kubectl patch storageclass {candidate.name} -p '{_SET_DEFAULT}'` (or the class you want)",
        )
