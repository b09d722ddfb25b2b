"""The local test web server: one folder per hostname, picked by the Host header.

``DIR/example.co.uk/index.html`` answers ``http://example.co.uk/``; a directory
answers with its ``index.html``, and ``/about`` also finds ``about.html`` (as GitHub
Pages does). ``www.`` is tolerated both ways. The built-in misbehaving hosts of
:mod:`crawler.localweb.misbehaving` are always present.

A hostname with no folder gets status 502 and the header ``X-Localweb-Error:
no-such-host``; the crawler's download handler turns that into the same error a
failed DNS lookup raises, so the spider records error kind ``dns``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiohttp import web

from crawler.localweb.misbehaving import HOSTS, RATE_COUNTS

logger = logging.getLogger(__name__)

NO_SUCH_HOST_HEADER = "X-Localweb-Error"
NO_SUCH_HOST = "no-such-host"
NO_SUCH_HOST_STATUS = 502

# Enough for a benchmark city; older entries fall off.
REQUEST_LOG_SIZE = 200_000


class LocalWeb:
    """Serve the saved sites under *sites* (may be None: built-in hosts only)."""

    def __init__(
        self, sites: Path | None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.sites = Path(sites).resolve() if sites is not None else None
        self.host = host
        self.port = port
        # (hostname, path with query, monotonic time) of every request received,
        # so tests can check politeness: delays, retries, robots.txt first.
        self.requests: deque[tuple[str, str, float]] = deque(maxlen=REQUEST_LOG_SIZE)
        self._runner: web.AppRunner | None = None

    @property
    def address(self) -> str:
        """``host:port`` the server listens on; the port is known after start()."""
        if self._runner is None:
            raise RuntimeError("LocalWeb not started: call `await start()` first")
        return f"{self.host}:{self.port}"

    def hostnames(self) -> list[str]:
        """The saved sites' hostnames (folder names), sorted."""
        if self.sites is None:
            return []
        return sorted(p.name for p in self.sites.iterdir() if p.is_dir())

    async def start(self) -> None:
        if self.sites is not None and not self.sites.is_dir():
            raise FileNotFoundError(f"sites folder not found: {self.sites}")

        app = web.Application()
        app[RATE_COUNTS] = Counter()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        logger.info(
            "Local web serving %s on %s", self.sites or "(built-ins)", self.address
        )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        hostname = _hostname(request.host)
        self.requests.append((hostname, request.path_qs, time.monotonic()))

        handler = HOSTS.get(hostname) or HOSTS.get(hostname.removeprefix("www."))
        if handler is not None:
            return await handler(request)

        root = self._site_root(hostname)
        if root is None:
            return web.Response(
                status=NO_SUCH_HOST_STATUS,
                text=f"no site {hostname!r} on this local web\n",
                headers={NO_SUCH_HOST_HEADER: NO_SUCH_HOST},
            )
        return self._serve_file(root, request.path)

    def _site_root(self, hostname: str) -> Path | None:
        if self.sites is None or not hostname:
            return None
        bare = hostname.removeprefix("www.")
        for name in (hostname, bare, f"www.{bare}"):
            root = self.sites / name
            # A hostname is one path segment: "..", "/" or "." never name a site.
            if "/" not in name and name not in {".", ".."} and root.is_dir():
                return root
        return None

    def _serve_file(self, root: Path, path: str) -> web.StreamResponse:
        target = _find(root, path)
        if target is None:
            missing = root / "404.html"
            if missing.is_file():
                return web.FileResponse(missing, status=404)
            return web.Response(status=404, text="not found\n")
        return web.FileResponse(target)


def _hostname(host_header: str) -> str:
    """The Host header without port, lower case, without a trailing dot."""
    host = host_header.strip().lower()
    if host.startswith("["):  # an IPv6 literal: [::1]:8080
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


def _find(root: Path, path: str) -> Path | None:
    """The file under *root* that answers URL *path*, never outside *root*."""
    # normpath removes "..": containment is checked on the path asked for, not on
    # where symlinks point, so a folder may link in saved pages kept elsewhere.
    candidate = Path(os.path.normpath(root / path.lstrip("/")))
    if not candidate.is_relative_to(root):
        return None

    options = [candidate]
    if candidate.is_dir() or path.endswith("/"):
        options = [candidate / "index.html", candidate / "index.htm"]
    elif not candidate.suffix:
        options += [candidate.with_suffix(".html"), candidate / "index.html"]

    return next((o for o in options if o.is_file()), None)


class LocalWebThread:
    """Run a :class:`LocalWeb` on its own event loop in a background thread.

    For synchronous code (pytest fixtures, benchmarks)::

        with LocalWebThread(sites) as web:
            crawl(env={"DATACITY_LOCALWEB": web.address})
    """

    def __init__(self, sites: Path | None, *, port: int = 0) -> None:
        self.web = LocalWeb(sites, port=port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="localweb", daemon=True
        )

    def __enter__(self) -> LocalWeb:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.web.start(), self._loop).result(10)
        return self.web

    def __exit__(self, *exc: object) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()

    async def _shutdown(self) -> None:
        await self.web.stop()
        # Handlers still running (slow.test sleeping) end here, not at loop close.
        current = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


@contextmanager
def serve_in_thread(sites: Path | None, port: int = 0) -> Iterator[str]:
    """Serve *sites* in a background thread; yields the ``host:port`` address."""
    with LocalWebThread(sites, port=port) as web_:
        yield web_.address
