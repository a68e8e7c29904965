"""Secrets ever committed in clear: every commit of every ref, read with the real git.

One ``git log -p --all -U0`` stream gives the lines each commit added (with their line numbers in that
commit's version of the file); the token/password patterns run over those. Plain Kubernetes Secrets are
recognised from whole files, fetched with one ``git cat-file --batch`` process for the YAML files whose
added lines look like Secret content.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import msgspec

from homelabctl.k8s import meta as k8s_meta
from homelabctl.model import Severity
from homelabctl.redact import SENSITIVE_KEY_RE
from homelabctl.scan.gitsafe import git_cmd, git_env
from homelabctl.scan.repo import YAML_SUFFIXES
from homelabctl.scan.secrets import (
    SecretMatch,
    Strength,
    decode_secret_value,
    fingerprint,
    judge_secret_value,
    scan_line,
    severity_for,
)
from homelabctl.scan.yamlparse import YamlParseError, node_at, parse_yaml

_HUNK_RE = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_SECRETISH_RE = re.compile(r"^\s*(kind:\s*Secret\b|data:|stringData:)")
COMMIT_MARK = "\x1ecommit "
MAX_LINE = 1 << 20
"""Bytes of one added line that are scanned; the rest of a longer line is skipped."""
MAX_BLOB = 10 * 1024 * 1024
"""Largest file read whole from history (as --max-file-size for the work tree)."""


class HistoryError(Exception):
    pass


class Commit(msgspec.Struct, frozen=True):
    sha: str
    date: str
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:12]


class HistoryHit(msgspec.Struct, frozen=True):
    commit: Commit
    path: str
    line: int
    what: str
    masked: str
    fingerprint: str
    """Hash of (path, value): the same secret in later commits is one hit."""
    severity: Severity = Severity.CRITICAL
    object_name: str | None = None


class HistoryScan(msgspec.Struct):
    hits: list[HistoryHit] = msgspec.field(default_factory=list)
    commits: int = 0


def _unquote(path: str) -> str:
    if path.startswith('"') and path.endswith('"'):
        return (
            path[1:-1]
            .encode("latin-1", "backslashreplace")
            .decode("unicode_escape")
            .encode("latin-1", "replace")
            .decode("utf-8", "replace")
        )
    return path


def _log_lines(root: Path, limit: int | None) -> Iterator[str]:
    # --no-textconv/--no-ext-diff: a repository's diff drivers are programs (see gitsafe).
    args = [
        "log",
        "--all",
        "-p",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--no-renames",
        "--no-show-signature",
        "--reverse",
        f"--format={COMMIT_MARK}%H %aI %s",
    ]
    if limit:
        args.insert(1, f"--max-count={limit}")
    try:
        proc = subprocess.Popen(
            git_cmd(root, *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=git_env(),
        )
    except OSError as exc:
        raise HistoryError(f"git could not run: {exc.strerror}") from None
    assert proc.stdout is not None
    while True:
        raw = proc.stdout.readline(MAX_LINE)
        if not raw:
            break
        if len(raw) == MAX_LINE and not raw.endswith(b"\n"):
            # A minified blob or a generated file on one line: its head is scanned, the rest skipped
            # without holding it.
            while True:
                rest = proc.stdout.readline(MAX_LINE)
                if not rest or rest.endswith(b"\n"):
                    break
        yield raw.decode("utf-8", "replace").rstrip("\n")
    stderr = proc.stderr.read(65536).decode("utf-8", "replace") if proc.stderr else ""
    if proc.wait() != 0:
        message = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit code {proc.returncode}"
        raise HistoryError(f"git log failed: {message}")


def scan_history(root: Path, *, limit: int | None = None) -> HistoryScan:
    """Every secret added by any commit reachable from any ref; the earliest commit per secret."""
    result = HistoryScan()
    seen: set[str] = set()
    commit: Commit | None = None
    path: str | None = None
    line_no = 0
    secret_files: list[tuple[Commit, str]] = []
    flagged: set[tuple[str, str]] = set()
    for text in _log_lines(root, limit):
        if text.startswith(COMMIT_MARK):
            sha, _, rest = text[len(COMMIT_MARK) :].partition(" ")
            date, _, subject = rest.partition(" ")
            commit = Commit(sha, date, subject)
            result.commits += 1
            path = None
            continue
        if commit is None:
            continue
        if text.startswith("+++ "):
            target = text[4:]
            path = None if target == "/dev/null" else _unquote(target).removeprefix("b/")
            continue
        if text.startswith("@@"):
            match = _HUNK_RE.match(text)
            line_no = int(match.group(1)) if match else 0
            continue
        if path is None or not text.startswith("+") or text.startswith("+++"):
            continue
        added = text[1:]
        for found in scan_line(added):
            _record(result, seen, commit, path, line_no, found)
        if path.endswith(YAML_SUFFIXES) and _SECRETISH_RE.match(added) and (commit.sha, path) not in flagged:
            flagged.add((commit.sha, path))
            secret_files.append((commit, path))
        line_no += 1
    if secret_files:
        _plain_secrets(root, secret_files, result, seen)
        # A line inside a plain Secret is reported as that Secret's key, not also as a loose password.
        in_secrets = {(h.commit.sha, h.path, h.line) for h in result.hits if h.object_name}
        result.hits = [
            h for h in result.hits if h.object_name or (h.commit.sha, h.path, h.line) not in in_secrets
        ]
    return result


def _record(
    result: HistoryScan, seen: set[str], commit: Commit, path: str, line: int, found: SecretMatch
) -> None:
    severity = severity_for(found, path)
    if severity is None:
        return
    key = fingerprint(path, found.value)
    if key in seen:
        return
    seen.add(key)
    result.hits.append(HistoryHit(commit, path, line, found.what, found.masked, key, severity))


def _cat_files(root: Path, wanted: list[tuple[Commit, str]]) -> Iterator[tuple[Commit, str, str]]:
    """The files at those commits, streamed from one ``git cat-file --batch``; blobs over MAX_BLOB (a
    history can hold anything) are skipped without being held in memory."""
    with tempfile.TemporaryFile() as request:
        request.write("".join(f"{c.sha}:{p}\n" for c, p in wanted).encode())
        request.seek(0)
        try:
            proc = subprocess.Popen(
                git_cmd(root, "cat-file", "--batch"),
                stdin=request,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=git_env(),
            )
        except OSError as exc:
            raise HistoryError(f"git cat-file failed: {exc.strerror}") from None
        assert proc.stdout is not None
        try:
            for commit, path in wanted:
                header = proc.stdout.readline(4096).decode("utf-8", "replace").split()
                if not header:
                    return
                if len(header) < 3 or header[-1] == "missing" or not header[2].isdigit():
                    continue
                size = int(header[2])
                if size > MAX_BLOB:
                    remaining = size + 1
                    while remaining:
                        chunk = proc.stdout.read(min(remaining, 1 << 20))
                        if not chunk:
                            return
                        remaining -= len(chunk)
                    continue
                body = proc.stdout.read(size)
                proc.stdout.read(1)
                if b"\0" in body[:8192]:
                    continue
                yield commit, path, body.decode("utf-8", "replace")
        finally:
            proc.stdout.close()
            proc.kill()
            proc.wait()


def _plain_secrets(root: Path, wanted: list[tuple[Commit, str]], result: HistoryScan, seen: set[str]) -> None:
    for commit, path, text in _cat_files(root, wanted):
        try:
            docs = list(parse_yaml(text))
        except YamlParseError:
            continue
        for doc in docs:
            data = doc.data
            if not isinstance(data, dict) or data.get("kind") != "Secret" or "sops" in data:
                continue
            name = f"{k8s_meta.namespace(data) or 'default'}/{k8s_meta.name(data) or '?'}"
            for field_name, encoded in (("data", True), ("stringData", False)):
                values = data.get(field_name)
                if not isinstance(values, dict):
                    continue
                for key, value in values.items():
                    raw = decode_secret_value(value, base64_encoded=encoded)
                    if not raw:
                        continue
                    verdict = judge_secret_value(raw, str(key))
                    if verdict.placeholder or (
                        verdict.strength is Strength.WEAK and not SENSITIVE_KEY_RE.search(str(key))
                    ):
                        continue  # a template, or `username: alerts@...` beside the secrets
                    print_ = fingerprint(f"{path}:{name}:{key}", raw.hex())
                    if print_ in seen:
                        continue
                    seen.add(print_)
                    line = node_at(doc.node, (field_name, str(key)))[1]
                    what = f"Secret {name} {field_name}.{key}"
                    if verdict.what:
                        what += f" ({verdict.what})"
                    # A value in a Secret manifest is a credential by intent: critical unless typed-looking
                    # in an example.
                    weak_example = (
                        verdict.strength is Strength.WEAK
                        and severity_for(SecretMatch(what, "", 0, Strength.WEAK), path) is None
                    )
                    result.hits.append(
                        HistoryHit(
                            commit,
                            path,
                            line,
                            what,
                            f"{len(raw)} bytes in clear",
                            print_,
                            Severity.WARNING if weak_example else Severity.CRITICAL,
                            object_name=name,
                        )
                    )
