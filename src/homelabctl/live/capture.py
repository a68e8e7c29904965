"""``homelabctl snapshot capture``: a redacted snapshot of a live cluster, one file per kind.

Layout (documented in docs/snapshot-format.md; a ``.tar.gz`` holds the same under one top directory)::

    homelabctl-manifest.json
    core/pods.json                      {"apiVersion":"v1","kind":"List","items":[...]}
    apps/deployments.json
    helm.toolkit.fluxcd.io/helmreleases.json
    ...

Each kind is streamed page by page (``limit``/``continue``) straight to its file, so memory holds one page
per worker, never a whole cluster (or even a whole kind). Every object goes through
:func:`homelabctl.redact.redact_object` before it is written, plus the scrubbing a shareable file needs.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, TextIO

import msgspec

from homelabctl import __version__, kinds
from homelabctl.errors import InputError
from homelabctl.k8s.scrub import drop_bookkeeping
from homelabctl.live.kubeclient import Client, ListFailed, Resolved, connect, list_pages
from homelabctl.live.source import progress_bar
from homelabctl.redact import MARKER_PREFIX, forget_seen_values, redact_object
from homelabctl.sources.base import KindStatus
from homelabctl.sources.snapshot import MANIFEST_NAME
from homelabctl.timeutil import format_time, utcnow

SCHEMA = "homelabctl.snapshot/v1"
CAPTURE_WORKERS = 4
TARBALL_SUFFIXES = (".tar.gz", ".tgz")


def capture_kinds() -> list[str]:
    """Every kind in the catalogue (Events included) plus any other kind a registered check reads."""
    from homelabctl.engine import required_kinds, select_checks

    return sorted({info.gk for info in kinds.KINDS} | set(required_kinds(select_checks())))


def relative_file(item: Resolved) -> str:
    return f"{item.group or 'core'}/{item.plural}.json"


def scrub(obj: dict[str, Any]) -> dict[str, Any]:
    """Redact, then drop what a shared file must not carry or does not need.

    ``last-applied-configuration`` repeats the applied manifest, env values and Helm values included, on
    any kind applied with ``kubectl apply``; ``managedFields`` are bookkeeping (``kubectl get -o yaml``
    hides them too); CRD schemas are large and no check reads them.
    """
    redact_object(obj)
    drop_bookkeeping(obj, MARKER_PREFIX + "last-applied-configuration")
    return obj


class CaptureResult(msgspec.Struct):
    output: Path
    server: str
    context: str
    server_version: str
    captured_at: str
    counts: dict[str, int] = msgspec.field(default_factory=dict)
    statuses: dict[str, KindStatus] = msgspec.field(default_factory=dict)

    @property
    def objects(self) -> int:
        return sum(self.counts.values())

    def manifest(self, files: dict[str, dict[str, Any]]) -> dict[str, Any]:
        def reasons(*states: str) -> dict[str, str]:
            return {gk: s.reason for gk, s in sorted(self.statuses.items()) if s.state in states}

        return {
            "schema": SCHEMA,
            "capturedAt": self.captured_at,
            "serverVersion": self.server_version,
            "homelabctlVersion": __version__,
            "source": {"context": self.context, "server": self.server},
            "redaction": (
                "Secret data and stringData, sensitive ConfigMap keys, env values, command-line "
                "flags and Helm values are replaced by 'homelabctl-redacted:len=N;o2p=M' markers, and "
                "so are, in any string, URL credentials, bearer/basic tokens, --flag secrets, secrets "
                "in embedded JSON/YAML/INI/env text and known token formats, and high-entropy values "
                "in annotations and Secrets; last-applied-configuration annotations, managedFields "
                "and CRD schemas are dropped"
            ),
            "kinds": {
                "captured": sorted(self.counts),
                "forbidden": reasons("forbidden"),
                "notInstalled": reasons("not_installed", "absent"),
                "failed": reasons("error"),
            },
            "files": files,
        }


def _prepare_output(output: Path, force: bool) -> tuple[Path, bool]:
    """(the directory to write into, whether it is a temporary one to tar up)."""
    tarball = output.name.endswith(TARBALL_SUFFIXES)
    if output.exists():
        if not force:
            raise InputError(f"{output} already exists; choose another path or pass --force to replace it")
        if output.is_dir():
            if any(output.iterdir()) and not (output / MANIFEST_NAME).is_file():
                raise InputError(
                    f"{output} is a non-empty directory that is not a homelabctl snapshot; "
                    "refusing to replace it"
                )
            shutil.rmtree(output)
    if tarball:
        output.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".homelabctl-capture-", dir=output.parent)), True
    output.mkdir(parents=True, exist_ok=False)
    return output, False


def _write_kind(client: Client, item: Resolved, root: Path, deadline_at: float) -> int | KindStatus:
    """Stream one kind to its file (``.part`` until complete). Returns the object count or the failure."""
    target = root / relative_file(item)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    for attempt in range(2):
        try:
            with part.open("w", encoding="utf-8") as handle:
                count = _stream(client, item, handle, deadline_at)
            part.replace(target)
            return count
        except ListFailed as failure:
            part.unlink(missing_ok=True)
            if failure.expired and attempt == 0:
                continue
            return failure.status
        except OSError as exc:
            part.unlink(missing_ok=True)
            return KindStatus("error", f"cannot write {target}: {exc.strerror or exc}")
    return KindStatus("error", f"cannot list {item.resource_name}")  # pragma: no cover


def _stream(client: Client, item: Resolved, handle: TextIO, deadline_at: float) -> int:
    handle.write('{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[')
    count = 0
    for page in list_pages(client, item, deadline_at):
        for obj in page:
            handle.write("\n" if count == 0 else ",\n")
            handle.write(json.dumps(scrub(obj), separators=(",", ":"), ensure_ascii=False))
            count += 1
        page.clear()  # one page in memory at a time
    handle.write("\n]}\n")
    return count


def capture(
    output: Path,
    *,
    kubeconfig: Path | None = None,
    context: str | None = None,
    request_timeout: float = 10.0,
    deadline: float = 300.0,
    progress: bool = False,
    force: bool = False,
    gks: Sequence[str] | None = None,
    workers: int = CAPTURE_WORKERS,
    on_kind: Callable[[str, int | KindStatus], None] | None = None,
) -> CaptureResult:
    client = Client(
        kubeconfig=kubeconfig, context=context, pool_size=workers + 2, request_timeout=request_timeout
    )
    try:
        wanted = sorted(set(gks if gks is not None else capture_kinds()))
        server_version, server_time, resolved, statuses, deadline_at = connect(client, wanted, deadline)
        root, tarball = _prepare_output(output, force)
        result = CaptureResult(
            output,
            client.server,
            client.context,
            server_version,
            format_time(server_time or utcnow()),
            statuses=dict(statuses),
        )
        files: dict[str, dict[str, Any]] = {}
        try:
            with (
                progress_bar(progress, len(resolved), f"Capturing {client.server}") as advance,
                ThreadPoolExecutor(
                    max_workers=max(1, min(workers, len(resolved) or 1)),
                    thread_name_prefix="homelabctl-capture",
                ) as pool,
            ):
                futures = {
                    pool.submit(_write_kind, client, item, root, deadline_at): gk
                    for gk, item in resolved.items()
                }
                for future in as_completed(futures):
                    gk = futures[future]
                    item = resolved[gk]
                    outcome = future.result()
                    advance(item.resource_name)
                    if isinstance(outcome, KindStatus):
                        result.statuses[gk] = outcome
                    else:
                        result.counts[gk] = outcome
                        result.statuses[gk] = KindStatus("available")
                        files[gk] = {
                            "file": relative_file(item),
                            "apiVersion": item.api_version,
                            "count": outcome,
                        }
                    if on_kind is not None:
                        on_kind(gk, outcome)
            manifest = result.manifest(dict(sorted(files.items())))
            (root / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
            if tarball:
                _write_tarball(root, output)
        finally:
            if tarball:
                shutil.rmtree(root, ignore_errors=True)
        return result
    finally:
        client.close()
        forget_seen_values()


def tarball_top(output: Path) -> str:
    """The directory a tarball's files sit under (``incident-42/`` for ``incident-42.tar.gz``), so extracting it
    does not spray files into the current directory."""
    name = output.name
    for suffix in TARBALL_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)] or "snapshot"
    return name


def _write_tarball(root: Path, output: Path) -> None:
    partial = output.with_name(output.name + ".part")
    top = tarball_top(output)
    with tarfile.open(partial, "w:gz") as tar:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                info = tar.gettarinfo(str(path), arcname=f"{top}/{path.relative_to(root).as_posix()}")
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mode = 0o644
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
    os.replace(partial, output)
