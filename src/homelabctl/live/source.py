"""The live source: the same ClusterState as a snapshot, read from the Kubernetes API.

It lists exactly the kinds asked for, after discovery (absent CRDs cost nothing), in parallel with a
bounded pool, paginated, with a per-request timeout and a deadline for the whole read. A kind that cannot
be read becomes a :class:`KindStatus` (forbidden, not installed, error) and the run goes on; only an API
that does not answer at all is fatal (:class:`ApiUnreachableError`, exit 2).

"Now" for a live read is the API server's clock (the ``Date`` header of ``/version``): ages are measured
on the clock that wrote the timestamps, whatever the laptop's clock says.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from homelabctl import kinds as catalogue
from homelabctl.k8s import revisions
from homelabctl.live.kubeclient import Client, ListFailed, Resolved, connect, list_pages
from homelabctl.model import Resource
from homelabctl.redact import forget_seen_values, redact_object
from homelabctl.sources.base import ClusterState, KindStatus, LoadError, SourceInfo
from homelabctl.sources.index import ClusterIndex
from homelabctl.sources.validate import malformed_field, malformed_message
from homelabctl.timeutil import utcnow

DEFAULT_WORKERS = 8

Advance = Callable[[str], None]


@contextmanager
def progress_bar(enabled: bool, total: int, description: str) -> Iterator[Advance]:
    """A rich progress bar on stderr while kinds are read; a no-op unless enabled and stderr is a terminal."""
    if not enabled or total == 0 or not sys.stderr.isatty():
        yield lambda _label: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)

        def advance(label: str) -> None:
            progress.update(task, advance=1, description=f"{description}: {label}")

        yield advance


class LiveSource:
    """Reads a cluster through the current kubeconfig context (or ``--kubeconfig``/``--context``), or the
    in-cluster service account when run in a pod without a kubeconfig."""

    def __init__(
        self,
        *,
        kubeconfig: Path | None = None,
        context: str | None = None,
        request_timeout: float = 10.0,
        deadline: float = 60.0,
        progress: bool = False,
        max_workers: int = DEFAULT_WORKERS,
    ) -> None:
        self.request_timeout = request_timeout
        self.deadline = deadline
        self.progress = progress
        self.max_workers = max(1, max_workers)
        self.client = Client(
            kubeconfig=kubeconfig,
            context=context,
            pool_size=self.max_workers + 2,
            request_timeout=request_timeout,
        )
        self.info = SourceInfo("live", f"{self.client.context} ({self.client.server})")

    def load(self, kinds: Collection[str] = ()) -> ClusterState:
        # nothing asked for: read everything the catalogue knows (a source may read more than asked)
        wanted = sorted(set(kinds)) or [info.gk for info in catalogue.KINDS]
        server_version, server_time, resolved, kind_status, deadline_at = connect(
            self.client, wanted, self.deadline
        )
        index = ClusterIndex()
        errors: list[LoadError] = []
        with (
            progress_bar(self.progress, len(resolved), f"Reading {self.client.server}") as advance,
            _forgetting_seen_values(),
        ):
            for gk, outcome in self._list_all(resolved, deadline_at, advance):
                if isinstance(outcome, KindStatus):
                    kind_status[gk] = outcome
                    if outcome.state == "error":
                        errors.append(LoadError(f"{self.client.server}{resolved[gk].path}", outcome.reason))
                    continue
                for res in outcome:
                    problem = malformed_field(res.raw)
                    if problem:  # costs this object only, as for a snapshot
                        errors.append(
                            LoadError(
                                f"{self.client.server}{resolved[gk].path}",
                                malformed_message(res.raw, problem),
                            )
                        )
                        continue
                    index.add(res)
                kind_status[gk] = KindStatus("available")
        return ClusterState(
            index=index,
            source=self.info,
            kind_status=kind_status,
            errors=errors,
            captured_at=server_time or utcnow(),
            server_version=server_version or None,
        )

    def _list_all(
        self, resolved: dict[str, Resolved], deadline_at: float, advance: Advance
    ) -> Iterator[tuple[str, list[Resource] | KindStatus]]:
        if not resolved:
            return
        pool = ThreadPoolExecutor(
            max_workers=min(self.max_workers, len(resolved)), thread_name_prefix="homelabctl-list"
        )
        futures: dict[Future[list[Resource] | KindStatus], str] = {
            pool.submit(self._list_kind, item, deadline_at): gk for gk, item in resolved.items()
        }
        pending = set(futures)
        try:
            while pending:
                # requests end on their own by the deadline (their timeouts are capped by it): a hair of slack
                done, pending = wait(
                    pending,
                    timeout=max(0.0, deadline_at - time.monotonic()) + 0.05,
                    return_when=FIRST_COMPLETED,
                )
                if not done:
                    break
                for future in done:
                    gk = futures[future]
                    advance(resolved[gk].resource_name)
                    yield gk, future.result()
            for future in pending:
                gk = futures[future]
                yield (
                    gk,
                    KindStatus(
                        "error",
                        f"{resolved[gk].resource_name} not read within the {self.deadline:g}s deadline",
                    ),
                )
        finally:
            # Requests still in flight end on their own timeout, which is capped by the deadline.
            pool.shutdown(wait=False, cancel_futures=True)

    def _list_kind(self, item: Resolved, deadline_at: float) -> list[Resource] | KindStatus:
        for attempt in range(2):
            resources: list[Resource] = []
            try:
                for page in list_pages(self.client, item, deadline_at):
                    resources.extend(Resource.from_raw(redact_object(obj)) for obj in page if _is_object(obj))
                return resources
            except ListFailed as failure:
                if failure.expired and attempt == 0:
                    continue
                return failure.status
        return KindStatus(
            "error", f"cannot list {item.resource_name}"
        )  # pragma: no cover - loop always returns


def _is_object(obj: Any) -> bool:
    return isinstance(obj, dict) and revisions.has_name(obj)


@contextmanager
def _forgetting_seen_values() -> Iterator[None]:
    try:
        yield
    finally:
        forget_seen_values()
