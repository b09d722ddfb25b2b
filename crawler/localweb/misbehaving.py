"""Built-in hosts of the local test web that misbehave the way real sites do.

Each name uses the reserved ``.test`` top-level domain (RFC 2606), so it can never
be a real organisation's site. :data:`HOSTS` maps a hostname to its handler; every
handler answers ``/robots.txt`` too (with a 404, "no rules", unless the host is
about robots.txt).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# How long slow.test takes to answer a page: far beyond any sane DOWNLOAD_TIMEOUT.
SLOW_SECONDS = 60.0
# huge.test declares and sends this many bytes; DOWNLOAD_MAXSIZE is a few MB.
HUGE_BYTES = 16 * 1024 * 1024
# ratelimit.test answers 429 to the first requests for each path, then 200.
RATE_LIMITED_TIMES = 2
RETRY_AFTER_SECONDS = 1

FILLER = b"<p>" + b"All work and no play makes a dull crawler. " * 20 + b"</p>\n"


def html_page(title: str, body: str = "", links: list[str] | None = None) -> str:
    """A small valid page with a title, some text and links."""
    anchors = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links or [])
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><h1>{title}</h1>{body}"
        f"<ul>{anchors}</ul></body></html>"
    )


def _html(text: str, status: int = 200, **headers: str) -> web.Response:
    return web.Response(
        text=text, status=status, content_type="text/html", headers=headers
    )


def _no_robots() -> web.Response:
    return web.Response(status=404, text="no robots.txt here")


def _robots(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/plain")


async def slow(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _no_robots()
    await asyncio.sleep(SLOW_SECONDS)
    return _html(html_page("Slow Ltd"))


async def error500(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _no_robots()
    return _html(html_page("Internal Server Error"), status=500)


# Per-server request counts, so that two servers in one process do not share them.
RATE_COUNTS = web.AppKey("rate_counts", Counter)


async def ratelimit(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _no_robots()
    counts = request.app[RATE_COUNTS]
    counts[request.path_qs] += 1
    if counts[request.path_qs] <= RATE_LIMITED_TIMES:
        return _html(
            html_page("Too Many Requests"),
            status=429,
            **{"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return _html(html_page("Rate Limited Ltd", "<p>Patience pays.</p>"))


async def redirect_loop(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _no_robots()
    target = "/loop/b" if request.path == "/loop/a" else "/loop/a"
    raise web.HTTPFound(target)


async def redirect_offsite(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _no_robots()
    raise web.HTTPMovedPermanently("http://elsewhere.test/")


async def redirect_private(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _no_robots()
    if request.path == "/intranet":
        raise web.HTTPFound("http://10.0.0.1/admin")
    # The cloud metadata endpoint: the classic server-side request forgery target.
    raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")


async def huge(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _no_robots()
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    response.content_length = HUGE_BYTES
    await response.prepare(request)
    sent = 0
    with contextlib.suppress(ConnectionResetError):
        while sent < HUGE_BYTES:
            chunk = FILLER[: HUGE_BYTES - sent]
            await response.write(chunk)
            sent += len(chunk)
    return response


async def endless(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _no_robots()
    # No Content-Length: chunked, and it never ends; only the client's size or
    # time limit stops it.
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    await response.prepare(request)
    await response.write(
        b"<!doctype html><html><head><title>Endless</title></head><body>"
    )
    # The client hanging up (ConnectionResetError) is the only way out.
    with contextlib.suppress(ConnectionResetError):
        while True:
            await response.write(FILLER * 16)
            await asyncio.sleep(0.001)
    return response


async def bad_charset(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _no_robots()
    text = html_page(
        "Café Crème Ltd", "<p>Prices from £5 — naïve façade</p>", ["/latin", "/none"]
    ).replace('<meta charset="utf-8">', "")
    body = text.encode("cp1252", errors="replace")
    if request.path == "/latin":
        # Says UTF-8, sends Latin-1: the most common lie on the web.
        content_type = "text/html; charset=utf-8"
    elif request.path == "/none":
        content_type = "text/html"
    else:
        content_type = "text/html; charset=no-such-charset"
    return web.Response(body=body, headers={"Content-Type": content_type})


async def binary(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _no_robots()
    body = bytes(range(256)) * 64
    if request.path.endswith(".png"):
        return web.Response(body=b"\x89PNG\r\n\x1a\n" + body, content_type="image/png")
    return web.Response(body=body, content_type="application/octet-stream")


async def robots_disallow(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _robots("User-agent: *\nDisallow: /\n")
    return _html(html_page("Private Ltd", "<p>Nobody should read this.</p>"))


async def robots_5xx(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return web.Response(status=503, text="robots.txt unavailable")
    return _html(html_page("Flaky Robots Ltd", "<p>Not to be crawled today.</p>"))


async def crawl_delay(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _robots("User-agent: *\nCrawl-delay: 1\n")
    links = ["/about", "/contact", "/services"] if request.path == "/" else ["/"]
    return _html(html_page(f"Patient Ltd {request.path}", links=links))


async def trap_calendar(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _no_robots()
    if request.path == "/":
        return _html(html_page("Events Ltd", links=["/calendar/2026/12/", "/about"]))
    parts = [p for p in request.path.split("/") if p]
    if len(parts) == 3 and parts[0] == "calendar" and parts[1].isdigit():
        year, month = int(parts[1]), int(parts[2]) if parts[2].isdigit() else 1
        before = (year, month - 1) if month > 1 else (year - 1, 12)
        after = (year, month + 1) if month < 12 else (year + 1, 1)
        links = [f"/calendar/{y}/{m:02d}/" for y, m in (before, after)]
        links += [f"/calendar/{year}/{month:02d}/?day={d}" for d in range(1, 29)]
        return _html(html_page(f"Calendar {year}-{month:02d}", links=links))
    return _html(html_page(f"Events Ltd {request.path}", links=["/"]))


async def trap_repeat(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return _no_robots()
    # Relative links without a leading slash: every page adds another segment,
    # the way a broken template makes /about/about/about/... endless.
    return _html(html_page(f"Echo Ltd {request.path}", links=["about/", "team/"]))


HOSTS: dict[str, Handler] = {
    "slow.test": slow,
    "error500.test": error500,
    "ratelimit.test": ratelimit,
    "redirect-loop.test": redirect_loop,
    "redirect-offsite.test": redirect_offsite,
    "redirect-private.test": redirect_private,
    "huge.test": huge,
    "endless.test": endless,
    "bad-charset.test": bad_charset,
    "binary.test": binary,
    "robots-disallow.test": robots_disallow,
    "robots-5xx.test": robots_5xx,
    "crawl-delay.test": crawl_delay,
    "trap-calendar.test": trap_calendar,
    "trap-repeat.test": trap_repeat,
}
