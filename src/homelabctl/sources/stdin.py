"""``--snapshot -``: objects piped in, as ``kubectl get -A -o json ... | homelabctl check --snapshot -``.

What arrives is read like a snapshot file (a ``List``, JSON, multi-document YAML), with the same per-file and
total byte limits, the same redaction on arrival and the same one-line :class:`LoadError` for what cannot be
read, located as ``<stdin>``. ``-`` may be given next to snapshot paths; they are merged as usual.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from homelabctl.sources.base import LoadError, SourceInfo
from homelabctl.sources.snapshot import SnapshotSource, _ByteBudget, _RawFile

STDIN = "-"
LOCATION = "<stdin>"


class StdinSource(SnapshotSource):
    def __init__(
        self,
        paths: Sequence[str | os.PathLike[str]] = (STDIN,),
        *,
        stream: BinaryIO | None = None,
        slim: bool = False,
        **limits: int,
    ) -> None:
        names = [LOCATION if str(p) == STDIN else str(p) for p in paths]
        super().__init__(paths, slim=slim, info=SourceInfo("snapshot", ", ".join(names)), **limits)
        self.paths = [p for p in self.paths if str(p) != STDIN]
        self._stream = stream

    def _iter_files(self, errors: list[LoadError], budget: _ByteBudget) -> Iterator[_RawFile]:
        stream = self._stream if self._stream is not None else sys.stdin.buffer
        if stream.isatty():
            # nothing is piped: waiting for a person to type a cluster is not what they meant
            errors.append(LoadError(LOCATION, "a terminal, not piped input: pipe `kubectl get -o json` in"))
        else:
            try:
                content = self._read_capped(stream, LOCATION, errors, budget)
            except OSError as exc:
                errors.append(LoadError(LOCATION, f"cannot read: {exc.strerror or exc}"))
                content = None
            if content is not None:
                raw_file = _RawFile(LOCATION, content)
                content = None  # the parser takes the only reference and frees it as it goes
                yield raw_file
        if self.paths:
            yield from super()._iter_files(errors, budget)
