"""The repository as read once: every text file, every YAML document with file and line, the errors.

Nothing here knows about Flux; :mod:`homelabctl.scan.flux` builds the graph on top of it.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import msgspec
from yaml.nodes import Node

from homelabctl.k8s import meta as k8s_meta
from homelabctl.model import ObjectRef, Resource, group_kind
from homelabctl.scan.walk import list_files
from homelabctl.scan.yamlparse import (
    DuplicateKey,
    PathKey,
    Trap,
    YamlLimitError,
    YamlParseError,
    node_at,
    parse_yaml,
)

DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_TOTAL_BYTES = 512 * 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# Never worth reading for secrets or manifests; saves decoding large blobs.
BINARY_SUFFIXES = frozenset(
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".ico",
        ".webp",
        ".pdf",
        ".zip",
        ".gz",
        ".tgz",
        ".xz",
        ".bz2",
        ".7z",
        ".tar",
        ".jar",
        ".so",
        ".dylib",
        ".dll",
        ".exe",
        ".bin",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".mp3",
        ".mp4",
        ".mov",
        ".avi",
        ".iso",
        ".img",
        ".qcow2",
        ".pyc",
        ".class",
        ".o",
        ".a",
        ".db",
        ".sqlite",
    ]
)
IGNORE_COMMENT_RE = re.compile(r"#\s*homelabctl:\s*ignore=([a-z0-9,\s-]+)")
KUSTOMIZE_CONFIG_GROUPS = ("kustomize.config.k8s.io",)


class ScanError(msgspec.Struct, frozen=True):
    """Input that could not be read. Never a finding: the scan goes on without it."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message}


class Doc(msgspec.Struct, eq=False):
    """One YAML document: its data, its node tree (for lines) and where it sits."""

    file: RepoFile
    index: int
    node: Node
    data: Any
    traps: list[Trap]
    duplicates: list[DuplicateKey]
    line: int
    end_line: int
    api_version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str | None = None
    is_object: bool = False
    """A Kubernetes-style object: a mapping with string apiVersion and kind."""

    def __post_init__(self) -> None:
        data = self.data
        if isinstance(data, dict):
            api, kind = data.get("apiVersion"), data.get("kind")
            self.is_object = isinstance(api, str) and isinstance(kind, str)
            self.api_version = str(api or "")
            self.kind = str(kind or "")
            self.name = k8s_meta.name(data)
            self.namespace = k8s_meta.namespace(data)

    @property
    def path(self) -> str:
        return self.file.path

    def line_of(self, *path: PathKey) -> int:
        return node_at(self.node, path)[1]

    @property
    def is_kustomize_config(self) -> bool:
        if self.file.name in KUSTOMIZATION_FILES:
            return True
        return self.is_object and str(self.data["apiVersion"]).startswith(KUSTOMIZE_CONFIG_GROUPS)

    @property
    def gk(self) -> str:
        return group_kind(self.api_version, self.kind)

    @property
    def metadata(self) -> Mapping[str, Any]:
        return k8s_meta.metadata(self.data) if isinstance(self.data, dict) else {}

    @property
    def spec(self) -> Mapping[str, Any]:
        return k8s_meta.spec(self.data) if isinstance(self.data, dict) else {}

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind or "Document", self.namespace, self.name or f"{self.path}#{self.index}")

    @property
    def resource(self) -> Resource:
        return Resource.from_raw(self.data if isinstance(self.data, dict) else {})

    @property
    def sops_encrypted(self) -> bool:
        """SOPS writes a top-level ``sops:`` mapping (with ``mac``/``lastmodified``) next to the data."""
        if not isinstance(self.data, dict):
            return False
        meta = self.data.get("sops")
        return isinstance(meta, dict) and ("mac" in meta or "lastmodified" in meta)


# A dataclass, not a msgspec Struct: it has cached_property attributes, which need an instance __dict__.
@dataclass(eq=False)
class RepoFile:
    path: str
    size: int
    text: str | None = None
    docs: list[Doc] = field(default_factory=list)
    is_yaml: bool = False
    over_limit: tuple[int | None, str] | None = None
    """(line, why) when a document was refused for exceeding the parser's bounds (an alias bomb)."""

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def dir(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    @cached_property
    def lines(self) -> list[str]:
        return (self.text or "").splitlines()

    @cached_property
    def ignore_comments(self) -> dict[int, frozenset[str]]:
        """1-based line → rule ids named by ``# homelabctl: ignore=...`` on that line."""
        text = self.text or ""
        if "homelabctl:" not in text:
            return {}
        found: dict[int, frozenset[str]] = {}
        for number, line in enumerate(self.lines, start=1):
            match = IGNORE_COMMENT_RE.search(line)
            if match:
                found[number] = frozenset(r.strip() for r in match.group(1).split(",") if r.strip())
        return found

    def ignored_at(self, rule_id: str, line: int | None, doc_line: int | None) -> bool:
        comments = self.ignore_comments
        if not comments:
            return False
        for candidate in (line, doc_line):
            if candidate and rule_id in comments.get(candidate, ()):
                return True
        if doc_line:
            # Comments, blank lines and the `---` separator just above the document count as its header.
            number = doc_line - 1
            while number >= 1:
                text = self.lines[number - 1].strip()
                if rule_id in comments.get(number, ()):
                    return True
                if text and not text.startswith("#") and not text.startswith("---"):
                    break
                number -= 1
        return False


# A dataclass, not a msgspec Struct: it has cached_property attributes, which need an instance __dict__.
@dataclass
class Repo:
    root: Path
    files: dict[str, RepoFile] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)
    docs: list[Doc] = field(default_factory=list)
    git: bool = False
    chart_dirs: set[str] = field(default_factory=set)

    @cached_property
    def objects(self) -> list[Doc]:
        return [d for d in self.docs if d.is_object and not d.is_kustomize_config]

    @cached_property
    def by_kind(self) -> dict[str, list[Doc]]:
        index: dict[str, list[Doc]] = defaultdict(list)
        for doc in self.objects:
            index[doc.kind].append(doc)
        return index

    def of_kind(self, *kinds: str) -> Iterator[Doc]:
        for kind in kinds:
            yield from self.by_kind.get(kind, ())

    @cached_property
    def dirs(self) -> set[str]:
        found: set[str] = {""}
        for path in self.files:
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                found.add("/".join(parts[:i]))
        return found

    @cached_property
    def tree(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """(directory → files directly in it, directory → its subdirectories), both sorted."""
        files: dict[str, list[str]] = defaultdict(list)
        subdirs: dict[str, set[str]] = defaultdict(set)
        for path in sorted(self.files):
            parent = path.rsplit("/", 1)[0] if "/" in path else ""
            files[parent].append(path)
        for directory in self.dirs:
            if directory:
                parent = directory.rsplit("/", 1)[0] if "/" in directory else ""
                subdirs[parent].add(directory)
        return dict(files), {k: sorted(v) for k, v in subdirs.items()}

    def is_dir(self, rel: str) -> bool:
        if rel in self.dirs:
            return True
        return (self.root / rel).is_dir() if rel else True

    def exists(self, rel: str) -> bool:
        return rel in self.files or self.is_dir(rel) or (self.root / rel).exists()


def _chart_dirs(paths: list[str]) -> set[str]:
    return {p.rsplit("/", 1)[0] if "/" in p else "" for p in paths if p.rsplit("/", 1)[-1] == "Chart.yaml"}


def _in_chart_templates(path: str, chart_dirs: set[str]) -> bool:
    """Helm templates are Go templates, not YAML; charts vendored in the repo are read by Helm, not us."""
    for chart in chart_dirs:
        prefix = f"{chart}/" if chart else ""
        if path.startswith(prefix) and path[len(prefix) :].startswith(("templates/", "charts/", "crds/")):
            return True
    return False


def _decode(raw: bytes, rel: str, errors: list[ScanError], is_yaml: bool) -> str | None:
    if b"\x00" in raw[:8192]:
        if is_yaml:
            errors.append(ScanError(rel, None, "binary content in a YAML-named file, skipped"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if is_yaml:
            line = raw.count(b"\n", 0, exc.start) + 1
            errors.append(ScanError(rel, line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}), skipped"))
        return None


def load_repo(
    root: Path,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
) -> Repo:
    """Read the repository under ``root``. Unreadable pieces become :class:`ScanError`s. Files over
    ``max_file_bytes`` are skipped; once ``max_total_bytes`` have been read, the rest is skipped."""
    root = root.resolve()
    listing = list_files(root)
    repo = Repo(root=root, git=listing.git)
    repo.errors.extend(ScanError(path, None, message) for path, message in listing.errors)
    repo.chart_dirs = _chart_dirs(listing.files)
    root_text = str(root)
    total = 0
    for rel in listing.files:
        suffix = os.path.splitext(rel)[1].lower()
        if suffix in BINARY_SUFFIXES:
            continue
        is_yaml = suffix in YAML_SUFFIXES or rel.rsplit("/", 1)[-1] == "Kustomization"
        path = os.path.join(root_text, rel)  # str paths: pathlib's parsing was a tenth of reading
        try:
            size = os.stat(path).st_size
        except OSError as exc:
            message = "symlink loop, skipped" if exc.errno == 40 else f"cannot read: {exc.strerror}"
            repo.errors.append(ScanError(rel, None, message))
            continue
        if size > max_file_bytes:
            repo.errors.append(
                ScanError(
                    rel,
                    None,
                    f"{size / 1048576:.0f} MB is over the {max_file_bytes / 1048576:g} MB limit (--max-file-size), skipped",
                )
            )
            continue
        if total + size > max_total_bytes:
            repo.errors.append(
                ScanError(
                    rel,
                    None,
                    f"the repository is over the {max_total_bytes / 1048576:g} MB total read limit: this "
                    f"file and the rest skipped",
                )
            )
            break
        total += size
        try:
            with open(path, "rb") as handle:
                # read(n) allocates n bytes up front: ask for the size stat() gave, then at most up to the
                # limit if the file grew since.
                raw = handle.read(size + 1)
                if len(raw) > size:
                    raw += handle.read(max(0, max_file_bytes + 1 - len(raw)))
        except OSError as exc:
            message = "symlink loop, skipped" if exc.errno == 40 else f"cannot read: {exc.strerror}"
            repo.errors.append(ScanError(rel, None, message))
            continue
        if len(raw) > max_file_bytes:
            repo.errors.append(
                ScanError(
                    rel,
                    None,
                    f"grew over the {max_file_bytes / 1048576:g} MB limit while being read, skipped",
                )
            )
            continue
        text = _decode(raw, rel, repo.errors, is_yaml)
        if text is None:
            continue
        file = RepoFile(rel, size, text, is_yaml=is_yaml)
        repo.files[rel] = file
        if is_yaml and not _in_chart_templates(rel, repo.chart_dirs):
            _parse_into(repo, file)
    return repo


def _parse_into(repo: Repo, file: RepoFile) -> None:
    assert file.text is not None
    try:
        for parsed in parse_yaml(file.text):
            if parsed.data is None:
                continue
            doc = Doc(
                file=file,
                index=parsed.index,
                node=parsed.node,
                data=parsed.data,
                traps=parsed.traps,
                duplicates=parsed.duplicates,
                line=parsed.node.start_mark.line + 1,
                end_line=parsed.node.end_mark.line + 1,
            )
            file.docs.append(doc)
            repo.docs.append(doc)
    except YamlLimitError as exc:
        file.over_limit = (exc.line, exc.message)
    except YamlParseError as exc:
        repo.errors.append(ScanError(file.path, exc.line, exc.message))
