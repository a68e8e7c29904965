"""Wire a live cluster into a :class:`StateStore`: connect, discover, one watcher per readable kind."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from homelabctl.errors import HomelabctlError
from homelabctl.live.kubeclient import Client, connect, discover
from homelabctl.sources.base import SourceInfo
from homelabctl.timeutil import utcnow
from homelabctl.watch.store import StateStore
from homelabctl.watch.watcher import ApiTransport, ErrorHook, Watcher

log = logging.getLogger("homelabctl.watch")


# A dataclass, not a msgspec Struct: __post_init__ adds attributes that are not fields (needs __dict__).
@dataclass
class LiveWatch:
    client: Client
    store: StateStore
    watcher: Watcher
    transport: ApiTransport
    kinds: list[str]
    rediscover_every: float = 600.0

    def __post_init__(self) -> None:
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._rediscover_loop, name="watch-discovery", daemon=True)

    def start(self) -> None:
        self.watcher.start()
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self.watcher.stop()
        self.client.close()

    def rediscover(self) -> list[str]:
        """Look again for the kinds the server did not serve (a CRD installed since): watch those it serves
        now. Returns them."""
        missing = [gk for gk in self.kinds if gk not in self.transport.resolved]
        if not missing:
            return []
        try:
            resolved, _ = discover(self.client, missing, time.monotonic() + 30.0)
        except HomelabctlError as exc:
            log.warning("rediscovery failed: %s", exc)
            return []
        for gk, item in sorted(resolved.items()):
            self.transport.resolved[gk] = item
            self.watcher.add(gk)
        return sorted(resolved)

    def _rediscover_loop(self) -> None:
        while not self._stopping.wait(self.rediscover_every):
            self.rediscover()


def connect_watch(
    kinds: Sequence[str],
    *,
    kubeconfig: Path | None = None,
    context: str | None = None,
    request_timeout: float = 10.0,
    relist_interval: float = 600.0,
    deadline: float = 60.0,
    on_error: ErrorHook | None = None,
) -> LiveWatch:
    """Discovery decides which kinds are watched: the ones the server does not serve are "not evaluated"
    from the start (and cost nothing). Raises ApiUnreachableError/SourceError like ``check``."""
    # one pooled connection per watched kind (each watch holds its connection open) plus room for lists
    client = Client(
        kubeconfig=kubeconfig, context=context, pool_size=len(kinds) + 8, request_timeout=request_timeout
    )
    try:
        server_version, server_time, resolved, statuses, _ = connect(client, list(kinds), deadline=deadline)
    except BaseException:
        client.close()
        raise
    store = StateStore(
        SourceInfo("live", f"{client.context} ({client.server})"),
        kinds,
        server_version=server_version or None,
    )
    if server_time is not None:
        store.clock_offset = server_time - utcnow()
    for gk, status in statuses.items():
        store.set_status(gk, status)
    transport = ApiTransport(client, resolved)
    watcher = Watcher(sorted(resolved), transport, store, relist_interval=relist_interval, on_error=on_error)
    return LiveWatch(client, store, watcher, transport, list(kinds), rediscover_every=relist_interval)
