"""Read what people already have: ``kubectl get -o json|yaml`` output, multi-document YAML, directories,
tarballs, the embedded demo. Bad pieces become one-line :class:`LoadError`s; the rest still loads."""

from __future__ import annotations

import json
import os
import re
import tarfile
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from homelabctl.errors import SourceError
from homelabctl.gcutil import gc_paused
from homelabctl.model import Resource, group_kind
from homelabctl.redact import redact_object
from homelabctl.sources.base import ClusterState, KindStatus, LoadError, SourceInfo
from homelabctl.sources.index import ClusterIndex
from homelabctl.timeutil import parse_time

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MANIFEST_NAME = "homelabctl-manifest.json"
_LEADING_SPACE = re.compile(rb"[ \t\r\n]*")
DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024
SNAPSHOT_SUFFIXES = (".json", ".yaml", ".yml")
TARBALL_SUFFIXES = (".tar.gz", ".tgz", ".tar")


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed YAML/JSON document with where it came from."""

    location: str
    line: int | None
    data: Any


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def parse_documents(content: bytes, location: str, errors: list[LoadError]) -> Iterator[Document]:
    """JSON or (multi-document) YAML. Errors carry the line; documents before a YAML error still load."""
    if b"\x00" in content[:8192]:
        errors.append(LoadError(location, "not a text file (binary content), skipped"))
        return
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    # find the first significant byte without copying a file that may be tens of megabytes
    start = _LEADING_SPACE.match(content)
    first = content[start.end():start.end() + 1] if start else content[:1]
    if not first:
        errors.append(LoadError(location, "empty file, skipped"))
        return
    if first in (b"{", b"["):
        try:
            yield Document(location, 1, json.loads(content))
            return
        except UnicodeDecodeError as exc:
            errors.append(LoadError(location, f"not UTF-8 text (byte {exc.start}), skipped"))
            return
        except json.JSONDecodeError as exc:
            if location.endswith(".json"):
                errors.append(LoadError(location, f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno))
                return
            # fall through: YAML flow style that is not strict JSON
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(LoadError(location, f"not UTF-8 text (byte {exc.start}), skipped"))
        return
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            line = node.start_mark.line + 1 if node is not None else None
            data = loader.construct_document(node)
            if data is not None:
                yield Document(location, line, data)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        errors.append(LoadError(location, f"invalid YAML: {problem}", mark.line + 1 if mark else None))
    except yaml.YAMLError as exc:
        errors.append(LoadError(location, f"invalid YAML: {exc}"))
    finally:
        loader.dispose()


def iter_objects(doc: Document, errors: list[LoadError],
                 listed_kinds: set[str] | None = None) -> Iterator[dict[str, Any]]:
    """Flatten ``List``/``PodList`` documents and validate that each object is a Kubernetes object."""
    data = doc.data
    if isinstance(data, list):
        for item in data:
            yield from iter_objects(Document(doc.location, doc.line, item), errors, listed_kinds)
        return
    if not isinstance(data, dict):
        errors.append(LoadError(doc.location, f"not a Kubernetes object (a {type(data).__name__}), skipped", doc.line))
        return
    kind = data.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):
        item_kind = kind[: -len("List")] if kind != "List" else None
        if item_kind and listed_kinds is not None:
            # an empty PersistentVolumeClaimList still says "there are none", unlike an empty List
            listed_kinds.add(group_kind(str(data.get("apiVersion", "v1")), item_kind))
        for item in data["items"]:
            if isinstance(item, dict) and item_kind and "kind" not in item:
                item = {"apiVersion": data.get("apiVersion", "v1"), "kind": item_kind, **item}
            if isinstance(item, dict) and not (isinstance(item.get("items"), list)
                                               and str(item.get("kind", "")).endswith("List")):
                problem = _object_problem(item)
                if problem:
                    errors.append(LoadError(doc.location, problem + ", skipped", doc.line))
                else:
                    yield item
            else:
                yield from iter_objects(Document(doc.location, doc.line, item), errors, listed_kinds)
        return
    problem = _object_problem(data)
    if problem:
        errors.append(LoadError(doc.location, problem + ", skipped", doc.line))
        return
    yield data


def _object_problem(data: dict[str, Any]) -> str | None:
    if not isinstance(data.get("kind"), str) or not data.get("kind"):
        return "object without kind"
    if not isinstance(data.get("apiVersion"), str) or not data.get("apiVersion"):
        return f"{data['kind']} without apiVersion"
    meta = data.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        return f"{data['kind']} without metadata.name"
    return None


@dataclass(frozen=True, slots=True)
class _RawFile:
    location: str
    content: bytes


class SnapshotSource:
    """Snapshot on disk: files, directories (recursive) and tarballs, several at once, merged."""

    def __init__(self, paths: Sequence[str | os.PathLike[str]], *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                 info: SourceInfo | None = None) -> None:
        if not paths:
            raise SourceError("no snapshot path given")
        self.paths = [Path(p) for p in paths]
        self.max_file_bytes = max_file_bytes
        self.info = info or SourceInfo("snapshot", ", ".join(str(p) for p in self.paths))

    def load(self, kinds: Collection[str] = ()) -> ClusterState:
        errors: list[LoadError] = []
        index = ClusterIndex()
        manifest: dict[str, Any] = {}
        listed: set[str] = set()
        with gc_paused(freeze=True):
            for raw_file in self._iter_files(errors):
                if _member_name(raw_file.location) == MANIFEST_NAME:
                    manifest = _parse_manifest(raw_file, errors) or manifest
                    continue
                for doc in parse_documents(raw_file.content, raw_file.location, errors):
                    for obj in iter_objects(doc, errors, listed):
                        index.add(Resource.from_raw(redact_object(obj)))
        if len(index) == 0 and not listed:
            detail = "; ".join(str(e) for e in errors[:3])
            raise SourceError(
                f"no Kubernetes objects could be read from {self.info.name}" + (f" ({detail})" if detail else "")
            )
        state = ClusterState(index=index, source=self.info, errors=errors,
                             kind_status={gk: KindStatus("available") for gk in sorted(listed)})
        _apply_manifest(state, manifest)
        return state

    def _iter_files(self, errors: list[LoadError]) -> Iterator[_RawFile]:
        for path in self.paths:
            if not path.exists():
                errors.append(LoadError(str(path), "no such file or directory"))
            elif path.is_dir():
                yield from self._iter_dir(path, errors)
            elif path.name.endswith(TARBALL_SUFFIXES):
                yield from self._iter_tar(path, errors)
            else:
                raw = self._read(path, errors)
                if raw is not None:
                    yield raw

    def _iter_dir(self, root: Path, errors: list[LoadError]) -> Iterator[_RawFile]:
        found = False
        seen_dirs: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            stat = os.stat(dirpath)
            if (stat.st_dev, stat.st_ino) in seen_dirs:  # symlink loop
                errors.append(LoadError(dirpath, "directory already visited (symlink loop), skipped"))
                dirnames[:] = []
                continue
            seen_dirs.add((stat.st_dev, stat.st_ino))
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for filename in sorted(filenames):
                path = Path(dirpath) / filename
                if filename.endswith(SNAPSHOT_SUFFIXES):
                    raw = self._read(path, errors)
                    if raw is not None:
                        found = True
                        yield raw
                elif filename.endswith(TARBALL_SUFFIXES):
                    found = True
                    yield from self._iter_tar(path, errors)
        if not found:
            errors.append(LoadError(str(root), "directory holds no .json, .yaml or .yml files"))

    def _read(self, path: Path, errors: list[LoadError]) -> _RawFile | None:
        try:
            size = path.stat().st_size
            if size > self.max_file_bytes:
                errors.append(LoadError(str(path), f"file too large ({_human_size(size)}; limit "
                                                   f"{_human_size(self.max_file_bytes)}), skipped"))
                return None
            return _RawFile(str(path), path.read_bytes())
        except OSError as exc:
            errors.append(LoadError(str(path), f"cannot read: {exc.strerror or exc}"))
            return None

    def _iter_tar(self, path: Path, errors: list[LoadError]) -> Iterator[_RawFile]:
        try:
            tar = tarfile.open(path, "r:*")  # noqa: SIM115 - closed by the `with` below; open errors get their own message
        except (tarfile.TarError, OSError) as exc:
            errors.append(LoadError(str(path), f"not a readable tarball: {exc}"))
            return
        with tar:
            try:
                members = tar.getmembers()
            except (tarfile.TarError, EOFError, OSError) as exc:
                errors.append(LoadError(str(path), f"truncated or corrupt tarball: {exc}"))
                members = []
            for member in members:
                location = f"{path}:{member.name}"
                parts = PurePosixPath(member.name).parts
                if member.name.startswith("/") or ".." in parts:
                    errors.append(LoadError(location, "unsafe path in tarball (absolute or '..'), skipped"))
                    continue
                if not member.isfile():
                    continue
                name = parts[-1] if parts else ""
                if not (name.endswith(SNAPSHOT_SUFFIXES)):
                    continue
                if member.size > self.max_file_bytes:
                    errors.append(LoadError(location, f"file too large ({_human_size(member.size)}), skipped"))
                    continue
                try:
                    handle = tar.extractfile(member)
                    if handle is None:
                        continue
                    yield _RawFile(location, handle.read())
                except (tarfile.TarError, EOFError, OSError) as exc:
                    errors.append(LoadError(location, f"cannot read tarball member: {exc}"))


def _member_name(location: str) -> str:
    """``snap.tar.gz:capture/homelabctl-manifest.json`` → ``homelabctl-manifest.json``."""
    return PurePosixPath(location.rsplit(".tar.gz:", 1)[-1].rsplit(".tgz:", 1)[-1].rsplit(".tar:", 1)[-1]).name


def _parse_manifest(raw_file: _RawFile, errors: list[LoadError]) -> dict[str, Any] | None:
    try:
        data = json.loads(raw_file.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        errors.append(LoadError(raw_file.location, f"invalid snapshot manifest: {exc}"))
        return None
    if not isinstance(data, dict):
        errors.append(LoadError(raw_file.location, "invalid snapshot manifest: not an object"))
        return None
    return data


def _apply_manifest(state: ClusterState, manifest: dict[str, Any]) -> None:
    if not manifest:
        return
    state.captured_at = parse_time(manifest.get("capturedAt"))
    version = manifest.get("serverVersion")
    state.server_version = str(version) if version else None
    origin = manifest.get("source")
    if isinstance(origin, dict) and isinstance(origin.get("server"), str) and origin["server"]:
        state.api_server = origin["server"]
    for gk in manifest.get("kinds", {}).get("captured", []) or []:
        state.kind_status.setdefault(str(gk), KindStatus("available"))
    for gk, reason in (manifest.get("kinds", {}).get("forbidden", {}) or {}).items():
        state.kind_status[str(gk)] = KindStatus("forbidden", str(reason))
    for gk, reason in (manifest.get("kinds", {}).get("notInstalled", {}) or {}).items():
        state.kind_status[str(gk)] = KindStatus("not_installed", str(reason))
    for gk, reason in (manifest.get("kinds", {}).get("failed", {}) or {}).items():
        state.kind_status[str(gk)] = KindStatus("error", str(reason))


def demo_snapshot_path() -> Path:
    from importlib.resources import files

    return Path(str(files("homelabctl.demo") / "snapshot"))


def demo_source() -> SnapshotSource:
    return SnapshotSource([demo_snapshot_path()], info=SourceInfo("demo", "homelabctl demo cluster (fletcherlabs)"))
