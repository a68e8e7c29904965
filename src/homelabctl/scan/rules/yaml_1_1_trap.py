from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import Doc
from homelabctl.scan.yamlparse import PathKey, path_to

# Helm values keys whose values are strings by nature (image tags, versions, modes, codes...).
STRINGY_KEYS = frozenset(
    (
        "tag",
        "version",
        "name",
        "mode",
        "level",
        "loglevel",
        "policy",
        "country",
        "region",
        "locale",
        "lang",
        "language",
        "format",
        "umask",
        "zone",
        "timezone",
        "tz",
        "code",
        "id",
        "host",
        "hostname",
        "path",
        "prefix",
        "suffix",
        "value",
        "text",
        "label",
        "channel",
        "schedule",
        "cron",
        "domain",
        "user",
        "username",
        "group",
        "answer",
        "string",
    )
)


def stringy_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in STRINGY_KEYS or lowered.endswith(("tag", "version", "name"))


def _string_only(kind: str, path: tuple[PathKey, ...]) -> str | None:
    """Why Kubernetes requires a string at ``path``, or None when any type is allowed there."""
    names = [p for p in path if isinstance(p, str)]
    if kind == "ConfigMap" and path[:1] == ("data",) and len(path) == 2:
        return "ConfigMap data values must be strings"
    if kind == "Secret" and path[:1] == ("stringData",) and len(path) == 2:
        return "Secret stringData values must be strings"
    if len(path) >= 3 and path[-2] in ("labels", "annotations") and "metadata" in names:
        return f"{path[-2]} values must be strings"
    if (
        len(path) >= 2
        and path[-1] == "value"
        and isinstance(path[-2], int)
        and len(path) >= 3
        and path[-3] == "env"
    ):
        return "env values must be strings"
    if len(path) >= 2 and isinstance(path[-1], int) and path[-2] in ("args", "command"):
        return f"container {path[-2]} must be strings"
    if kind == "Kustomization" and path[:3] == ("spec", "postBuild", "substitute") and len(path) == 4:
        return "postBuild.substitute values must be strings"
    if (
        kind == "HelmRelease"
        and path[:2] == ("spec", "values")
        and isinstance(path[-1], str)
        and stringy_key(path[-1])
    ):
        return f"the chart most likely expects a string for {path[-1]!r}"
    return None


def _dotted(path: tuple[PathKey, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


@rule("yaml-1.1-trap", layer=Layer.PLATFORM, severity=Severity.WARNING)
def yaml_11_trap(ctx: ScanContext) -> Iterator[Finding]:
    """An unquoted value that YAML 1.1 (kubectl, kustomize, Helm) reads as a bool or number, where a string is meant.

    Noted while parsing: plain scalars ``on``/``off``/``yes``/``no``/``y``/``n`` (booleans to go-yaml),
    octal-looking ``0755`` (the integer 493) and ``1e3`` (the float 1000; PyYAML reads it as a string, Helm
    does not). Reported where a string is required or clearly meant: ConfigMap ``data``, Secret
    ``stringData``, labels and annotations, container ``env`` values and ``args``, Flux
    ``postBuild.substitute``, and HelmRelease values under keys such as ``tag``, ``version``, ``mode``,
    ``umask``, ``country``. Kubernetes rejects the object (``cannot unmarshal bool into ... of type
    string``); a chart gets ``true`` instead of ``"on"``, or ``493`` instead of ``"0755"``.

    Next step: quote the value (``"on"``, ``"0755"``, ``"1e3"``).
    """
    for doc in ctx.repo.objects:
        if not doc.traps or not ctx.applied(doc):
            continue
        yield from _doc_traps(ctx, doc)


def _doc_traps(ctx: ScanContext, doc: Doc) -> Iterator[Finding]:
    for trap in doc.traps:
        path = path_to(doc.node, trap.node)
        if not path:
            continue
        why = _string_only(doc.kind, path)
        if why is None:
            continue
        where = _dotted(path)
        yield ctx.finding(
            doc,
            f"{where}: unquoted {trap.text} is read as {trap.read_as} by kubectl/Helm (YAML 1.1), not the "
            f"string {trap.text!r}",
            evidence=[f"line {trap.line}: {path[-1]}: {trap.text}", why],
            hint=f'Quote it: {path[-1]}: "{trap.text}"',
            line=trap.line,
        )
