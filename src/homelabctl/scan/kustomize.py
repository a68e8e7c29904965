"""kustomization.yaml trees, followed file by file; ``kubectl kustomize`` only where that is not enough.

Plain following knows which files a tree reaches, which entries are missing, which namespaces apply and
which ConfigMaps/Secrets the generators produce. Patches, replacements and generators change object
content in ways only kustomize can reproduce, so those trees are rendered by the real binary (cached on
disk by content hash) when the caller asks for the rendered objects.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import msgspec

from homelabctl.scan.repo import KUSTOMIZATION_FILES, YAML_SUFFIXES, Doc, Repo
from homelabctl.scan.yamlparse import YamlParseError, parse_yaml

KUBECTL_TIMEOUT = 60.0
RENDER_FIELDS = (
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "replacements",
    "configMapGenerator",
    "secretGenerator",
    "helmCharts",
    "transformers",
    "generators",
)


def is_remote(entry: str) -> bool:
    entry = entry.strip()
    return (
        "://" in entry
        or entry.startswith(
            (
                "github.com/",
                "gitlab.com/",
                "bitbucket.org/",
                "git@",
                "ssh:",
                "git::",
                "https:",
                "http:",
                "oci:",
            )
        )
        or "?ref=" in entry
        or "?version=" in entry
        or "//" in entry.lstrip("/")
    )


def norm(base: str, entry: str) -> str:
    """Join a relative entry to a repo-relative directory; '' is the repo root, '..' above it stays '..'."""
    joined = posixpath.normpath(posixpath.join(base or ".", entry.strip()))
    return "" if joined == "." else joined


class Missing(msgspec.Struct, frozen=True):
    field: str
    entry: str
    line: int
    why: str = "does not exist"


class Generated(msgspec.Struct, frozen=True):
    kind: str
    name: str
    namespace: str | None
    line: int


class KustomizeDir(msgspec.Struct):
    dir: str
    doc: Doc | None
    namespace: str | None = None
    name_prefix: str = ""
    name_suffix: str = ""
    files: list[str] = msgspec.field(default_factory=list)
    """Files whose documents are resources of this kustomization."""
    subdirs: list[str] = msgspec.field(default_factory=list)
    """Kustomization directories included as resources or components."""
    aux_files: list[str] = msgspec.field(default_factory=list)
    """Files read by kustomize that are not resources: patches, generator inputs, configurations."""
    generated: list[Generated] = msgspec.field(default_factory=list)
    missing: list[Missing] = msgspec.field(default_factory=list)
    remote: list[str] = msgspec.field(default_factory=list)
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
                if "\n" not in entry:
                    self._aux(kd, doc, (fld, i), fld, entry)
        for i, chart in enumerate(data.get("helmCharts") or []):
            # Helm charts are pulled from their repository (or need --enable-helm): never rendered here.
            if isinstance(chart, dict):
                kd.remote.append(f"helmCharts: {chart.get('name', '?')} {chart.get('repo') or ''}".strip())
                if isinstance(chart.get("valuesFile"), str):
                    self._aux(
                        kd, doc, ("helmCharts", i, "valuesFile"), "helmCharts.valuesFile", chart["valuesFile"]
                    )
        for i, item in enumerate(data.get("replacements") or []):
            if isinstance(item, dict) and isinstance(item.get("path"), str):
                self._aux(kd, doc, ("replacements", i, "path"), "replacements", item["path"])
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
        outside = self._outside(target)
        if outside:
            kd.missing.append(Missing(fld, entry, line, outside))
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

    def _outside(self, target: str) -> str | None:
        """Why ``target`` (repo-relative, normalised) is refused: absolute, above the root, or a symlink out."""
        if target.startswith("/"):
            return "is an absolute path: refused (only files inside the repository are read)"
        if target == ".." or target.startswith("../"):
            return "points outside the repository: refused"
        if target in self.repo.files:
            return None
        real = os.path.realpath(self.repo.root / target)
        root = str(self.repo.root)
        if os.path.lexists(self.repo.root / target) and not (real == root or real.startswith(root + os.sep)):
            return "is a symlink that points outside the repository: refused"
        return None

    def _aux(self, kd: KustomizeDir, doc: Doc, path: tuple[str | int, ...], fld: str, entry: str) -> None:
        if is_remote(entry):
            kd.remote.append(entry)
            return
        target = norm(kd.dir, entry)
        outside = self._outside(target)
        if outside:
            kd.missing.append(Missing(fld, entry, doc.line_of(*path), outside))
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
#
# The repository is untrusted. kustomize runs on a private copy (0700) holding only the repository's own
# regular files that the tree can read, with its default load restrictor (files under each
# kustomization's root only), no plugins, no Helm, no kubeconfig, proxies pointing nowhere; remote
# entries and paths that leave the repository were refused before (see Kustomizer._outside). What is
# cached is the rendered objects with every Secret value replaced by its length, in a 0700 directory,
# files 0600.


class RenderResult(msgspec.Struct):
    directory: str
    objects: list[dict[str, Any]] = msgspec.field(default_factory=list)
    error: str | None = None
    cached: bool = False

    @property
    def not_rendered(self) -> bool:
        """Refused or impossible before kustomize ran (remote, kubectl missing): not a build failure."""
        return bool(self.error) and (self.error or "").startswith(("not rendered", "kubectl not found"))


def kubectl_path() -> str | None:
    return shutil.which("kubectl")


def _content_key(repo: Repo, kz: Kustomizer, directory: str) -> str:
    digest = hashlib.sha256(b"homelabctl-kustomize-v2\0" + directory.encode())
    for rel in sorted(_sandbox_files(repo, kz, directory)):
        digest.update(rel.encode() + b"\0")
        file = repo.files.get(rel)
        if file is not None and file.text is not None:
            digest.update(file.text.encode())
        else:
            digest.update(b"\0missing")
    return digest.hexdigest()


def _sandbox_files(repo: Repo, kz: Kustomizer, directory: str) -> set[str]:
    """Every repository file kustomize may read for ``directory``: the files the tree names, and
    everything below its kustomization directories (patches and generator inputs we do not parse)."""
    files = set(kz.tree_files(directory))
    dirs = [kd.dir for kd in kz.tree(directory)]
    for rel in repo.files:
        if any(not d or rel.startswith(d + "/") for d in dirs):
            files.add(rel)
    return {f for f in files if f in repo.files}


def redact_rendered(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Secrets out of rendered output (secretGenerator reads literal values and files): each value
    becomes its length, so nothing that reaches a cache or a report holds one."""
    for obj in objects:
        if obj.get("kind") != "Secret":
            continue
        for fld in ("data", "stringData"):
            values = obj.get(fld)
            if isinstance(values, dict):
                obj[fld] = {k: f"homelabctl-redacted:len={len(str(v))}" for k, v in values.items()}
    return objects


def _load_rendered(text: str) -> list[dict[str, Any]]:
    return redact_rendered([d.data for d in parse_yaml(text) if isinstance(d.data, dict)])


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def private_dir(path: Path) -> bool:
    """Create ``path`` 0700 (or tighten it when it is ours); False when it cannot be made private."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = path.lstat()
        if os.path.islink(path) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
            return False
        if info.st_mode & 0o077:
            path.chmod(0o700)
        return True
    except OSError:
        return False


def _sandbox(repo: Repo, files: set[str], into: Path) -> None:
    for rel in files:
        file = repo.files[rel]
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_private(target, file.text or "")


def _kubectl_env(home: Path) -> dict[str, str]:
    dead = "http://127.0.0.1:9"  # discard port: any proxied request fails at once
    env = {
        k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TMPDIR")
    }
    env.update(
        {
            "HOME": str(home),
            "KUBECONFIG": os.devnull,
            "XDG_CONFIG_HOME": str(home),
            "XDG_CACHE_HOME": str(home),
            "HTTP_PROXY": dead,
            "HTTPS_PROXY": dead,
            "http_proxy": dead,
            "https_proxy": dead,
            "NO_PROXY": "",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ALLOW_PROTOCOL": "",
            "GIT_SSH_COMMAND": "false",
            "HELM_CACHE_HOME": str(home),
        }
    )
    return env


def _run_kubectl(kubectl: str, repo: Repo, kz: Kustomizer, directory: str) -> tuple[str | None, str | None]:
    with tempfile.TemporaryDirectory(prefix="homelabctl-kustomize-") as tmp:  # created 0700
        sandbox = Path(tmp) / "repo"
        home = Path(tmp) / "home"
        home.mkdir(mode=0o700)
        try:
            _sandbox(repo, _sandbox_files(repo, kz, directory), sandbox)
            (sandbox / directory).mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            return None, f"not rendered: cannot prepare a private copy: {exc.strerror}"
        try:
            out = subprocess.run(
                [kubectl, "kustomize", str(sandbox / directory)],
                capture_output=True,
                text=True,
                timeout=KUBECTL_TIMEOUT,
                check=False,
                cwd=tmp,
                env=_kubectl_env(home),
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return None, f"kubectl kustomize timed out after {KUBECTL_TIMEOUT:.0f}s"
        except OSError as exc:
            return None, f"kubectl kustomize could not run: {exc.strerror}"
        if out.returncode != 0:
            message = kubectl_error(out.stderr, sandbox) or f"exit code {out.returncode}"
            if "is not in or below" in message:
                return None, (
                    "not rendered: it reads a file outside its own kustomization directory, which "
                    "kustomize's load restrictor refuses here (" + message + ")"
                )
            return None, message
        return out.stdout, None


_KLOG_RE = re.compile(r'^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] (?:"command failed" err=<)?')


def kubectl_error(stderr: str, root: Path) -> str:
    """One line from kubectl's stderr, plain (``error: ...``) or klog-wrapped (``E1123 ... err=< ... >``)."""
    parts = []
    for raw in stderr.splitlines():
        line = _KLOG_RE.sub("", raw).strip()
        if line and line != ">":
            parts.append(line.removeprefix("error: "))
    return " ".join(parts).replace(str(root) + "/", "").replace(str(root), ".")


def render_dirs(
    repo: Repo, kz: Kustomizer, directories: list[str], cache_dir: Path | None, kubectl: str | None = None
) -> dict[str, RenderResult]:
    """Render each directory with ``kubectl kustomize`` (in parallel), reusing cached output."""
    kubectl = kubectl or kubectl_path()
    results: dict[str, RenderResult] = {}
    todo: list[tuple[str, str]] = []
    if cache_dir is not None and not private_dir(cache_dir):
        cache_dir = None  # a cache others can read or write is no cache
    for directory in directories:
        key = _content_key(repo, kz, directory)
        cache_file = cache_dir / f"{key}.json" if cache_dir else None
        if cache_file is not None and cache_file.is_file():
            try:
                cached = json.loads(cache_file.read_text(encoding="utf-8"))
                if isinstance(cached, list):
                    results[directory] = RenderResult(directory, redact_rendered(cached), cached=True)
                    continue
            except (OSError, ValueError):
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
        text, error = _run_kubectl(kubectl, repo, kz, directory)
        if text is None:
            return RenderResult(directory, error=error)
        try:
            objects = _load_rendered(text)
        except YamlParseError as exc:
            return RenderResult(directory, error=f"kubectl kustomize printed invalid YAML: {exc.message}")
        if cache_dir is not None:
            tmp = cache_dir / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
            try:
                _write_private(tmp, json.dumps(objects))
                tmp.replace(cache_dir / f"{key}.json")
            except OSError:
                tmp.unlink(missing_ok=True)  # a cache that cannot be written only costs time
        return RenderResult(directory, objects)

    workers = max(1, min(len(todo), os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(work, todo):
            results[result.directory] = result
    return results
