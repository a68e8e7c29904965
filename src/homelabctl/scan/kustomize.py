"""kustomization.yaml trees, followed file by file; ``kubectl kustomize`` only where that is not enough.

Plain following knows which files a tree reaches, which entries are missing, which namespaces apply and
which ConfigMaps/Secrets the generators produce. Patches, replacements and generators change object
content in ways only kustomize can reproduce, so those trees are rendered by the real binary (cached on
disk by content hash) when the caller asks for the rendered objects.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homelabctl.scan.repo import KUSTOMIZATION_FILES, YAML_SUFFIXES, Doc, Repo
from homelabctl.scan.yamlparse import YamlParseError, parse_yaml

KUBECTL_TIMEOUT = 60.0
RENDER_FIELDS = ("patches", "patchesStrategicMerge", "patchesJson6902", "replacements", "configMapGenerator",
                 "secretGenerator", "helmCharts", "transformers", "generators")


def is_remote(entry: str) -> bool:
    return "://" in entry or entry.startswith(("github.com/", "gitlab.com/", "git@", "ssh:")) or "?ref=" in entry


def norm(base: str, entry: str) -> str:
    """Join a relative entry to a repo-relative directory; '' is the repo root, '..' above it stays '..'."""
    joined = posixpath.normpath(posixpath.join(base or ".", entry.strip()))
    return "" if joined == "." else joined


@dataclass(frozen=True, slots=True)
class Missing:
    field: str
    entry: str
    line: int
    why: str = "does not exist"


@dataclass(frozen=True, slots=True)
class Generated:
    kind: str
    name: str
    namespace: str | None
    line: int


@dataclass
class KustomizeDir:
    dir: str
    doc: Doc | None
    namespace: str | None = None
    name_prefix: str = ""
    name_suffix: str = ""
    files: list[str] = field(default_factory=list)
    """Files whose documents are resources of this kustomization."""
    subdirs: list[str] = field(default_factory=list)
    """Kustomization directories included as resources or components."""
    aux_files: list[str] = field(default_factory=list)
    """Files read by kustomize that are not resources: patches, generator inputs, configurations."""
    generated: list[Generated] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)
    needs_render: bool = False


def kustomization_file(repo: Repo, directory: str) -> str | None:
    for name in KUSTOMIZATION_FILES:
        rel = f"{directory}/{name}" if directory else name
        if rel in repo.files:
            return rel
    return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


class Kustomizer:
    """Resolves kustomization directories of one repo, memoised."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._dirs: dict[str, KustomizeDir] = {}

    def dir(self, directory: str) -> KustomizeDir:
        cached = self._dirs.get(directory)
        if cached is None:
            cached = self._resolve(directory)
            self._dirs[directory] = cached
        return cached

    @property
    def resolved(self) -> list[KustomizeDir]:
        return list(self._dirs.values())

    def _resolve(self, directory: str) -> KustomizeDir:
        rel = kustomization_file(self.repo, directory)
        file = self.repo.files.get(rel) if rel else None
        doc = file.docs[0] if file and file.docs else None
        kd = KustomizeDir(directory, doc)
        if doc is None or not isinstance(doc.data, dict):
            return kd
        data: dict[str, Any] = doc.data
        if isinstance(data.get("namespace"), str):
            kd.namespace = data["namespace"]
        kd.name_prefix = str(data.get("namePrefix") or "")
        kd.name_suffix = str(data.get("nameSuffix") or "")
        kd.needs_render = any(data.get(f) for f in RENDER_FIELDS)
        for fld in ("resources", "bases", "components", "crds"):
            for i, entry in enumerate(_strings(data.get(fld))):
                self._resource(kd, doc, fld, i, entry, allow_dir=fld != "crds")
        for fld in ("patches", "patchesJson6902"):
            for i, item in enumerate(data.get(fld) or []):
                if isinstance(item, dict) and isinstance(item.get("path"), str):
                    self._aux(kd, doc, (fld, i, "path"), fld, item["path"])
        for i, item in enumerate(_strings(data.get("patchesStrategicMerge"))):
            if "\n" not in item and item.strip().endswith(YAML_SUFFIXES):
                self._aux(kd, doc, ("patchesStrategicMerge", i), "patchesStrategicMerge", item)
        for fld in ("configurations", "transformers", "generators", "validators"):
            for i, entry in enumerate(_strings(data.get(fld))):
                if not is_remote(entry) and "\n" not in entry:
                    self._aux(kd, doc, (fld, i), fld, entry)
        openapi = data.get("openapi")
        if isinstance(openapi, dict) and isinstance(openapi.get("path"), str):
            self._aux(kd, doc, ("openapi", "path"), "openapi", openapi["path"])
        for fld, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            for i, gen in enumerate(data.get(fld) or []):
                if not isinstance(gen, dict):
                    continue
                if isinstance(gen.get("name"), str):
                    ns = gen.get("namespace") if isinstance(gen.get("namespace"), str) else None
                    kd.generated.append(Generated(kind, gen["name"], ns, doc.line_of(fld, i)))
                for key in ("files", "envs", "env"):
                    for j, entry in enumerate(_strings(gen.get(key))):
                        source = entry.split("=", 1)[1] if "=" in entry else entry
                        path = (fld, i, key, j) if key != "env" else (fld, i, key)
                        self._aux(kd, doc, path, f"{fld}.{key}", source)
        return kd

    def _resource(self, kd: KustomizeDir, doc: Doc, fld: str, i: int, entry: str, *, allow_dir: bool) -> None:
        if is_remote(entry):
            kd.remote.append(entry)
            return
        target = norm(kd.dir, entry)
        line = doc.line_of(fld, i)
        if target.startswith(".."):
            kd.missing.append(Missing(fld, entry, line, "points outside the repository"))
        elif target in self.repo.files:
            kd.files.append(target)
        elif allow_dir and self.repo.is_dir(target):
            if kustomization_file(self.repo, target) is None:
                kd.missing.append(Missing(fld, entry, line, "is a directory without a kustomization.yaml"))
            else:
                kd.subdirs.append(target)
        elif (self.repo.root / target).exists():
            pass  # present but unreadable (size limit, binary): already reported as a read error
        else:
            kd.missing.append(Missing(fld, entry, line))

    def _aux(self, kd: KustomizeDir, doc: Doc, path: tuple[str | int, ...], fld: str, entry: str) -> None:
        target = norm(kd.dir, entry)
        if target.startswith(".."):
            kd.missing.append(Missing(fld, entry, doc.line_of(*path), "points outside the repository"))
        elif target in self.repo.files or (self.repo.root / target).is_file():
            kd.aux_files.append(target)
        else:
            kd.missing.append(Missing(fld, entry, doc.line_of(*path)))

    def tree(self, directory: str) -> Iterator[KustomizeDir]:
        """The directory and every kustomization it includes, each once."""
        seen: set[str] = set()
        stack = [directory]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            kd = self.dir(current)
            yield kd
            stack.extend(reversed(kd.subdirs))

    def tree_needs_render(self, directory: str) -> bool:
        return any(kd.needs_render for kd in self.tree(directory))

    def tree_missing(self, directory: str) -> bool:
        return any(kd.missing for kd in self.tree(directory))

    def tree_remote(self, directory: str) -> bool:
        return any(kd.remote for kd in self.tree(directory))

    def tree_files(self, directory: str) -> set[str]:
        files: set[str] = set()
        for kd in self.tree(directory):
            if kd.doc is not None:
                files.add(kd.doc.path)
            files.update(kd.files)
            files.update(kd.aux_files)
        return files


# ---- rendering with the real kustomize (kubectl kustomize) -------------------------------------------


@dataclass
class RenderResult:
    directory: str
    objects: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    cached: bool = False


def kubectl_path() -> str | None:
    return shutil.which("kubectl")


def _content_key(repo: Repo, kz: Kustomizer, directory: str) -> str:
    digest = hashlib.sha256(b"homelabctl-kustomize-v1\0" + directory.encode())
    for rel in sorted(kz.tree_files(directory)):
        digest.update(rel.encode() + b"\0")
        file = repo.files.get(rel)
        if file is not None and file.text is not None:
            digest.update(file.text.encode())
        else:
            try:
                digest.update((repo.root / rel).read_bytes())
            except OSError:
                digest.update(b"\0missing")
    return digest.hexdigest()


def _load_rendered(text: str) -> list[dict[str, Any]]:
    return [d.data for d in parse_yaml(text) if isinstance(d.data, dict)]


def _run_kubectl(kubectl: str, root: Path, directory: str) -> tuple[str | None, str | None]:
    try:
        out = subprocess.run(
            [kubectl, "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(root / directory)],
            capture_output=True, text=True, timeout=KUBECTL_TIMEOUT, check=False,
            env={**os.environ, "KUBECONFIG": os.devnull},
        )
    except subprocess.TimeoutExpired:
        return None, f"kubectl kustomize timed out after {KUBECTL_TIMEOUT:.0f}s"
    except OSError as exc:
        return None, f"kubectl kustomize could not run: {exc.strerror}"
    if out.returncode != 0:
        return None, kubectl_error(out.stderr, root) or f"exit code {out.returncode}"
    return out.stdout, None


_KLOG_RE = re.compile(r'^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] (?:"command failed" err=<)?')


def kubectl_error(stderr: str, root: Path) -> str:
    """One line from kubectl's stderr, plain (``error: ...``) or klog-wrapped (``E1123 ... err=< ... >``)."""
    parts = []
    for raw in stderr.splitlines():
        line = _KLOG_RE.sub("", raw).strip()
        if line and line != ">":
            parts.append(line.removeprefix("error: "))
    return " ".join(parts).replace(str(root) + "/", "")


def render_dirs(repo: Repo, kz: Kustomizer, directories: list[str], cache_dir: Path | None,
                kubectl: str | None = None) -> dict[str, RenderResult]:
    """Render each directory with ``kubectl kustomize`` (in parallel), reusing cached output."""
    kubectl = kubectl or kubectl_path()
    results: dict[str, RenderResult] = {}
    todo: list[tuple[str, str]] = []
    for directory in directories:
        key = _content_key(repo, kz, directory)
        cache_file = cache_dir / f"{key}.yaml" if cache_dir else None
        if cache_file is not None and cache_file.is_file():
            try:
                results[directory] = RenderResult(directory, _load_rendered(cache_file.read_text()), cached=True)
                continue
            except (OSError, YamlParseError):
                pass
        todo.append((directory, key))
    if not todo:
        return results
    if kubectl is None:
        for directory, _ in todo:
            results[directory] = RenderResult(directory, error="kubectl not found on PATH; not rendered")
        return results

    def work(item: tuple[str, str]) -> RenderResult:
        directory, key = item
        text, error = _run_kubectl(kubectl, repo.root, directory)
        if text is None:
            return RenderResult(directory, error=error)
        try:
            objects = _load_rendered(text)
        except YamlParseError as exc:
            return RenderResult(directory, error=f"kubectl kustomize printed invalid YAML: {exc.message}")
        if cache_dir is not None:
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                tmp = cache_dir / f".{key}.{os.getpid()}.tmp"
                tmp.write_text(text)
                tmp.replace(cache_dir / f"{key}.yaml")
            except OSError:
                pass  # a cache that cannot be written only costs time
        return RenderResult(directory, objects)

    workers = max(1, min(len(todo), os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(work, todo):
            results[result.directory] = result
    return results
