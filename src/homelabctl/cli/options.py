"""The option vocabulary every command shares, in one place, so each command gets it the same way.

- ``-o/--output FORMAT`` is always a format; ``--output-file PATH`` is always where it goes (written
  atomically: a temp file in the same directory, then a rename, so a reader never sees half a file);
- ``--fail-on SEVERITY``: exit 1 when a finding at or above it is shown, 0 otherwise, 2 on bad input;
- ``-n/--namespace NS`` (repeatable) and ``-A/--all-namespaces`` narrow what is shown, as in kubectl;
- ``--skip ID`` (repeatable) and ``--ignore-file PATH`` (default ``./.homelabctl.yaml``) hide accepted
  findings.

Old spellings (``-o FILE`` where ``-o`` now takes a format) keep working for one release with a
deprecation warning on stderr.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from homelabctl.errors import InputError
from homelabctl.model import Severity

F = TypeVar("F", bound=Callable[..., Any])

FAIL_ON_CHOICES = ("critical", "warning", "info", "never", "none")


def deprecated(message: str) -> None:
    click.echo(
        f"homelabctl: warning: deprecated: {message} (the old spelling goes away in the next release)",
        err=True,
    )


def output_options(
    formats: Sequence[str],
    default: str,
    *,
    legacy_file: bool = False,
    renamed: Mapping[str, str] | None = None,
    file_help: str = "Write the output to this file (atomically) instead of stdout.",
    dir_okay: bool = False,
) -> Callable[[F], F]:
    """``-o/--output FORMAT`` and ``--output-file PATH``, passed to the command as ``fmt`` and ``output_file``.

    ``legacy_file``: the command used to take ``-o FILE``; a value that is not a format is taken as the
    file, with a deprecation warning. ``renamed``: old format names still accepted (old -> new).
    """
    renamed = dict(renamed or {})
    choices = list(formats)

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
        return [c for c in choices if c.startswith(incomplete)]

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            fmt, output_file = kwargs.get("fmt"), kwargs.get("output_file")
            if fmt is None:
                fmt = default
            elif fmt in renamed:
                deprecated(f"-o {fmt} is now -o {renamed[fmt]}")
                fmt = renamed[fmt]
            elif fmt not in choices:
                if not legacy_file:
                    raise click.BadParameter(
                        f"{fmt!r} is not one of {', '.join(choices)}", param_hint="'-o' / '--output'"
                    )
                if output_file is not None:
                    raise click.BadParameter(
                        f"{fmt!r} is not one of {', '.join(choices)}", param_hint="'-o' / '--output'"
                    )
                deprecated(f"-o FILE is now --output-file FILE (-o takes the format: {', '.join(choices)})")
                fmt, output_file = default, Path(fmt)
            kwargs["fmt"], kwargs["output_file"] = fmt, output_file
            return func(*args, **kwargs)

        decorated = click.option(
            "--output-file",
            "output_file",
            type=click.Path(path_type=Path, dir_okay=dir_okay),
            default=None,
            metavar="PATH",
            help=file_help,
        )(wrapper)
        decorated = click.option(
            "-o",
            "--output",
            "fmt",
            default=None,
            metavar="[" + "|".join(choices) + "]",
            shell_complete=complete,
            help=f"Output format (default: {default}).",
        )(decorated)
        return decorated  # type: ignore[return-value]

    return decorate


def fail_on_option(func: F) -> F:
    """``--fail-on``, passed as ``fail_on``: a Severity, or None for never."""

    def convert(ctx: click.Context, param: click.Parameter, value: str) -> Severity | None:
        return None if value in ("never", "none") else Severity(value)

    decorated: F = click.option(
        "--fail-on",
        "fail_on",
        type=click.Choice(FAIL_ON_CHOICES),
        default="critical",
        show_default=True,
        callback=convert,
        help="Exit 1 when a finding at or above this severity is shown ('never'/'none': always 0); "
        "2 means bad input.",
    )(func)
    return decorated


def schema_option(shared_with: str) -> Callable[[F], F]:
    """``--schema v2|v1``, passed as ``schema_version``: the JSON report's version (the v2 envelope is shared
    between ``check`` and ``scan``)."""
    return click.option(
        "--schema",
        "schema_version",
        type=click.Choice(["v2", "v1"]),
        default="v2",
        show_default=True,
        help=f"JSON report version (-o json): v2 is the envelope shared with `{shared_with}`; v1 is kept for a "
        "release.",
    )


def namespace_options(func: F) -> F:
    """``-n/--namespace`` (repeatable) and ``-A/--all-namespaces``, passed as ``namespaces`` (empty: all)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        namespaces, all_ns = kwargs.pop("namespace_list", ()), kwargs.pop("all_namespaces", False)
        if namespaces and all_ns:
            raise click.UsageError("-n/--namespace and -A/--all-namespaces are exclusive")
        kwargs["namespaces"] = tuple(namespaces)
        return func(*args, **kwargs)

    decorated = click.option(
        "-A", "--all-namespaces", "all_namespaces", is_flag=True, help="Show every namespace (the default)."
    )(wrapper)
    decorated = click.option(
        "-n",
        "--namespace",
        "namespace_list",
        multiple=True,
        metavar="NS",
        help="Only show findings in this namespace, and their root causes (repeatable).",
    )(decorated)
    return decorated  # type: ignore[return-value]


def ignore_options(func: F) -> F:
    """``--skip ID`` (repeatable) and ``--ignore-file PATH``, passed as ``skip`` and ``ignore_file``."""
    decorated = click.option(
        "--ignore-file",
        "ignore_file",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        metavar="PATH",
        help="Accepted findings, each with a reason and an optional expiry "
        "(default: ./.homelabctl.yaml when it exists).",
    )(func)
    decorated = click.option(
        "--skip", "skip", multiple=True, metavar="ID", help="Hide the findings of this check (repeatable)."
    )(decorated)
    return decorated


def emit(text: str, output_file: Path | None) -> None:
    """Write ``text`` to stdout, or to ``output_file`` atomically (never a half-written file for a reader
    such as node-exporter's textfile collector)."""
    if output_file is None:
        sys.stdout.write(text)
        return
    write_atomic(output_file, text)


def leave_now(code: int) -> None:
    """Exit at once once the output is written: freeing the snapshot, the index and every finding one object
    at a time, then the interpreter, costs a check ~30 ms of CPU at 10,000 objects (6% of its process) and
    ~140 ms at 50,000, and serves no one. Only in a real command-line run, where the output is written and flushed and nothing
    else is pending; not when stdout was replaced (an embedding program, click's CliRunner, a test's
    capture), where the caller still owns the process. (``scan`` does the same, for its parse trees.)"""
    if sys.stdout is not sys.__stdout__:
        return
    for stream in (sys.__stdout__, sys.__stderr__):
        if stream is not None:
            stream.flush()
    os._exit(code)


def write_atomic(path: Path, text: str) -> None:
    import tempfile  # here: only --output-file needs it, and it costs every run ~4 ms of imports

    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; a report is as readable as any file the user writes
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
