"""Options every cluster-reading command shares, and turning them into a Source."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
import msgspec

from homelabctl.errors import InputError
from homelabctl.sources.base import ClusterState, Source
from homelabctl.timeutil import parse_time

F = TypeVar("F", bound=Callable[..., Any])


class SourceOptions(msgspec.Struct, frozen=True):
    """What the source options say, handed to a command as one ``source`` argument: a new source option is
    an option in ``source_options``, a field here and its use in ``make_source``, and no command changes."""

    demo: bool = False
    snapshots: tuple[Path, ...] = ()
    kubeconfig: Path | None = None
    kube_context: str | None = None
    request_timeout: float = 10.0
    deadline: float = 60.0
    now_text: str | None = None

    @property
    def offline(self) -> bool:
        """A snapshot or the demo: nothing changes while the command runs."""
        return self.demo or bool(self.snapshots)

    def source(self, *, progress: bool = False) -> Source:
        return make_source(
            self.demo,
            self.snapshots,
            self.kubeconfig,
            self.kube_context,
            self.request_timeout,
            self.deadline,
            progress=progress,
        )

    def load(self, kinds: Sequence[str], *, progress: bool = False) -> ClusterState:
        return load_state(self.source(progress=progress), kinds, self.now_text)


_FIELDS = SourceOptions.__struct_fields__


def source_options(func: F) -> F:
    """--demo, --snapshot (repeatable), --kubeconfig, --context, --now: passed as ``source: SourceOptions``."""

    @click.option("--demo", is_flag=True, help="Use the embedded demo cluster (no cluster needed).")
    @click.option(
        "--snapshot",
        "snapshots",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Snapshot file, directory or .tar.gz, or - for objects piped in (repeatable; merged).",
    )
    @click.option(
        "--kubeconfig",
        type=click.Path(path_type=Path),
        default=None,
        help="Kubeconfig for the live cluster (default: $KUBECONFIG or ~/.kube/config).",
    )
    @click.option("--context", "kube_context", default=None, help="Kubeconfig context to use.")
    @click.option(
        "--request-timeout",
        type=float,
        default=10.0,
        show_default=True,
        help="Live: seconds per API request.",
    )
    @click.option(
        "--deadline", type=float, default=60.0, show_default=True, help="Live: seconds for the whole read."
    )
    @click.option(
        "--now",
        "now_text",
        default=None,
        metavar="RFC3339",
        help="Reference time for ages (default: the snapshot's capture time, or now).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        source = SourceOptions(**{name: kwargs.pop(name) for name in _FIELDS})
        return func(*args, source=source, **kwargs)

    return wrapper  # type: ignore[return-value]


def make_source(
    demo: bool,
    snapshots: Sequence[Path],
    kubeconfig: Path | None,
    kube_context: str | None,
    request_timeout: float = 10.0,
    deadline: float = 60.0,
    progress: bool = False,
) -> Source:
    if demo and snapshots:
        raise InputError("--demo and --snapshot are exclusive")
    if demo:
        from homelabctl.sources.snapshot import demo_source

        return demo_source(slim=True)
    if any(str(p) == "-" for p in snapshots):
        from homelabctl.sources.stdin import StdinSource

        return StdinSource(list(snapshots), slim=True)
    if snapshots:
        from homelabctl.sources.snapshot import SnapshotSource

        # commands that read a cluster (not `snapshot serve`): fields nothing reads are dropped at load
        return SnapshotSource(list(snapshots), slim=True)
    try:
        from homelabctl.live.source import LiveSource
    except ModuleNotFoundError as exc:  # pragma: no cover - live support is part of the package
        raise InputError("no --snapshot or --demo given, and live cluster support is unavailable") from exc
    return LiveSource(
        kubeconfig=kubeconfig,
        context=kube_context,
        request_timeout=request_timeout,
        deadline=deadline,
        progress=progress,
    )


def load_state(source: Source, kinds: Sequence[str], now_text: str | None) -> ClusterState:
    state = source.load(kinds)
    if now_text:
        now = parse_time(now_text)
        if now is None:
            raise InputError(f"--now: not an RFC 3339 time: {now_text!r}")
        state.captured_at = now
    for error in state.errors:
        click.echo(f"homelabctl: warning: {error}", err=True)
    return state
