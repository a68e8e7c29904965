"""The endpoints, on aiohttp: ``/`` dashboard, ``/api/report``, ``/metrics``, ``/healthz``, ``/readyz``.

Handlers only read the evaluator's last :class:`~homelabctl.watch.service.Evaluation` (swapped in whole),
so a request never waits for an evaluation and never sees half of one.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from homelabctl.watch.dashboard import render_dashboard
from homelabctl.watch.metrics import CONTENT_TYPE
from homelabctl.watch.service import WatchService

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
SERVICE_KEY = web.AppKey("service", WatchService)


def _service(request: web.Request) -> WatchService:
    return request.app[SERVICE_KEY]


async def dashboard(request: web.Request) -> web.Response:
    service = _service(request)
    current = service.current
    status = "" if service.last_error is None else f"last evaluation failed: {service.last_error}"
    if service.history_error:
        status = f"{service.history_error}; {status}" if status else service.history_error
    errors = service.metrics.recent_errors()
    if errors:
        kinds = sorted({f"{gk} ({reason})" for gk, reason in errors})
        status = (
            f"{len(errors)} watch error(s) in the last 5 min, the data may be stale: "
            f"{', '.join(kinds[:5])}{' …' if len(kinds) > 5 else ''}" + (f"; {status}" if status else "")
        )
    if current is None:
        page = render_dashboard(None, [], [], service.store.now(), status=status or "reading the cluster")
    else:
        page = render_dashboard(
            current.report,
            current.active,
            current.timeline,
            service.store.now(),
            open_findings=current.open_findings,
            status=status or f"evaluation took {current.seconds:.2f} s",
        )
    return web.Response(text=page, content_type="text/html", charset="utf-8", headers=SECURITY_HEADERS)


async def api_report(request: web.Request) -> web.Response:
    current = _service(request).current
    if current is None:
        return web.json_response(
            {"error": "not ready: the first evaluation has not finished"},
            status=503,
            headers={"Retry-After": "5"},
        )
    return web.Response(
        body=current.report_json,
        content_type="application/json",
        charset="utf-8",
        headers={"Cache-Control": "no-store"},
    )


async def metrics(request: web.Request) -> web.Response:
    body = _service(request).metrics.render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


async def healthz(request: web.Request) -> web.Response:
    """Live while the evaluator thread runs and wakes up on schedule; a wedged process gets restarted."""
    service = _service(request)
    stale = time.monotonic() - service.heartbeat > max(120.0, service.tick * 3)
    if not service.alive or stale:
        return web.Response(status=503, text="evaluator not running\n")
    return web.Response(text="ok\n")


async def readyz(request: web.Request) -> web.Response:
    if _service(request).ready:
        return web.Response(text="ok\n")
    return web.Response(status=503, text="not ready: the first evaluation has not finished\n")


def make_app(service: WatchService) -> web.Application:
    app = web.Application()
    app[SERVICE_KEY] = service
    app.router.add_get("/", dashboard)
    app.router.add_get("/api/report", api_report)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


def parse_listen(text: str) -> tuple[str, int]:
    from homelabctl.errors import InputError

    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise InputError(f"--listen {text}: expected HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080")
    return host.strip("[]") or "0.0.0.0", int(port_text)


class HttpThread:
    """The app on its own event loop thread: ``with HttpThread(service, port=0) as http: http.url``."""

    def __init__(self, service: WatchService, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = make_app(service)
        self.host, self.port = host, port
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._run, name="http", daemon=True)
        self.error: BaseException | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._start())
        except BaseException as exc:
            self.error = exc
            self._started.set()
            return
        self._started.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._cleanup())
        self._loop.close()

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server: Any = site._server
        if server is not None and server.sockets:
            self.port = int(server.sockets[0].getsockname()[1])

    async def _cleanup(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def start(self) -> HttpThread:
        self._thread.start()
        self._started.wait(10)
        if self.error is not None:
            from homelabctl.errors import InputError

            raise InputError(f"cannot listen on {self.host}:{self.port}: {self.error}")
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> HttpThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_forever(stop: Callable[[], None]) -> None:
    """Block the main thread until SIGTERM/SIGINT, then call ``stop`` (Kubernetes sends SIGTERM)."""
    import signal

    done = threading.Event()

    def handler(_signum: int, _frame: object) -> None:
        done.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    while not done.wait(3600):
        pass
    stop()
