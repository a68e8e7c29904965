"""List the files of a repository the way git sees them: tracked and untracked-but-not-ignored.

Inside a git work tree ``git ls-files`` answers (run with the repository's config neutralised:
:mod:`homelabctl.scan.gitsafe`) (it knows every ignore rule); elsewhere a small
.gitignore matcher covers the common patterns. Symlinks are followed only inside the repository, and a
symlinked directory is entered once, so loops end with an error instead of a hang.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import msgspec

from homelabctl.scan.gitsafe import git_cmd, git_env

GIT_TIMEOUT = 60.0


class Listing(msgspec.Struct):
    files: list[str] = msgspec.field(default_factory=list)
    """Repo-relative POSIX paths of regular files (symlinks resolved)."""
    errors: list[tuple[str, str]] = msgspec.field(default_factory=list)
    """(path, message) for entries that could not be listed."""
    git: bool = False


def git_toplevel(root: Path) -> Path | None:
    try:
        out = subprocess.run(
            git_cmd(root, "rev-parse", "--show-toplevel"),
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
            env=git_env(),
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or not out.stdout.strip():
        return None
    return Path(out.stdout.strip())


def _git_files(root: Path) -> list[str] | None:
    try:
        out = subprocess.run(
            git_cmd(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"),
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            env=git_env(),
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return sorted({p for p in out.stdout.decode("utf-8", "surrogateescape").split("\0") if p})


def list_files(root: Path) -> Listing:
    root = root.resolve()
    listing = Listing()
    git_files = _git_files(root) if git_toplevel(root) is not None else None
    visited_dirs: set[str] = set()
    if git_files is not None:
        listing.git = True
        for rel in git_files:
            _add(root, rel, listing, visited_dirs, None)
    else:
        _walk(root, "", listing, visited_dirs, GitIgnore())
    listing.files.sort()
    return listing


def _inside(root: Path, target: str) -> bool:
    return target == str(root) or target.startswith(str(root) + os.sep)


def _add(root: Path, rel: str, listing: Listing, visited: set[str], ignore: GitIgnore | None) -> None:
    """One listed entry: a file, or a symlink that git records as a file but points at a directory."""
    path = root / rel
    if path.is_symlink():
        try:
            target = os.path.realpath(path, strict=True)
        except OSError as exc:
            listing.errors.append((rel, _symlink_problem(exc)))
            return
        if not _inside(root, target):
            listing.errors.append((rel, "symlink points outside the repository, skipped"))
            return
        if os.path.isdir(target):
            _walk(root, rel, listing, visited, ignore or GitIgnore())
            return
    if not path.exists():
        return  # deleted in the work tree but still in the index
    if path.is_file():
        listing.files.append(rel)


def _symlink_problem(exc: OSError) -> str:
    if exc.errno == 40:  # ELOOP
        return "symlink loop, skipped"
    return f"broken symlink ({exc.strerror}), skipped"


def _walk(root: Path, rel_dir: str, listing: Listing, visited: set[str], ignore: GitIgnore) -> None:
    abs_dir = root / rel_dir if rel_dir else root
    real = os.path.realpath(abs_dir)
    if real in visited:
        listing.errors.append((rel_dir or ".", "symlink loop (directory already visited), skipped"))
        return
    visited.add(real)
    gitignore = abs_dir / ".gitignore"
    if gitignore.is_file():
        ignore = ignore.child(rel_dir, _read_lines(gitignore))
    try:
        entries = sorted(os.scandir(abs_dir), key=lambda e: e.name)
    except OSError as exc:
        listing.errors.append((rel_dir or ".", f"cannot list directory: {exc.strerror}"))
        return
    for entry in entries:
        if entry.name == ".git":
            continue
        rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError as exc:
            listing.errors.append((rel, _symlink_problem(exc)))
            continue
        if ignore.ignored(rel, is_dir):
            continue
        if entry.is_symlink():
            try:
                target = os.path.realpath(entry.path, strict=True)
            except OSError as exc:
                listing.errors.append((rel, _symlink_problem(exc)))
                continue
            if not _inside(root, target):
                listing.errors.append((rel, "symlink points outside the repository, skipped"))
                continue
        if is_dir:
            _walk(root, rel, listing, visited, ignore)
        elif entry.is_file():
            listing.files.append(rel)


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


class _Pattern(msgspec.Struct, frozen=True):
    base: str
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


def _translate(glob: str) -> str:
    """gitignore glob → regex over a path relative to the .gitignore's directory."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = glob[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        elif c == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


class GitIgnore:
    """The common subset of gitignore: globs, ``**``, anchoring, trailing ``/``, ``!`` negation."""

    def __init__(self, patterns: tuple[_Pattern, ...] = ()) -> None:
        self.patterns = patterns

    def child(self, base: str, lines: list[str]) -> GitIgnore:
        added: list[_Pattern] = []
        for raw in lines:
            line = raw.rstrip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            if negate:
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            if not line:
                continue
            anchored = "/" in line
            line = line.lstrip("/")
            body = _translate(line)
            regex = re.compile(("" if anchored else "(?:.*/)?") + body + "(?:/.*)?$")
            added.append(_Pattern(base, regex, negate, dir_only))
        return GitIgnore(self.patterns + tuple(added))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        result = False
        for pattern in self.patterns:
            if pattern.base:
                if not rel.startswith(pattern.base + "/"):
                    continue
                sub = rel[len(pattern.base) + 1 :]
            else:
                sub = rel
            if pattern.dir_only and not is_dir and "/" not in sub:
                continue
            if pattern.regex.match(sub):
                result = not pattern.negate
        return result


def iter_parents(rel: str) -> Iterator[str]:
    """``a/b/c.yaml`` → ``a/b``, ``a``, ``""``."""
    parts = rel.split("/")[:-1]
    while parts:
        yield "/".join(parts)
        parts.pop()
    yield ""
