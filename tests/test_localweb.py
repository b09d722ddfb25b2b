"""The local test web: saved sites by Host header, unknown hosts, misbehaving hosts."""

from __future__ import annotations

import http.client
import time
from pathlib import Path

import aiohttp
import pytest

from crawler.localweb import LocalWeb, LocalWebThread, serve_in_thread
from crawler.localweb.server import NO_SUCH_HOST, NO_SUCH_HOST_HEADER


@pytest.fixture
def sites(tmp_path: Path) -> Path:
    """A saved web of one small site with nested pages, robots.txt and a 404 page."""
    root = tmp_path / "sites" / "acme.co.uk"
    (root / "about").mkdir(parents=True)
    (root / "index.html").write_text("<title>Acme</title><a href='/about/'>About</a>")
    (root / "about" / "index.html").write_text("<title>About Acme</title>")
    (root / "contact.html").write_text("<title>Contact Acme</title>")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    (root / "404.html").write_text("<title>Lost</title>")
    (tmp_path / "secret.txt").write_text("outside the web")
    return tmp_path / "sites"


def get(address: str, host: str, path: str = "/") -> http.client.HTTPResponse:
    hostname, port = address.split(":")
    connection = http.client.HTTPConnection(hostname, int(port), timeout=5)
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_serves_saved_site_by_host_header(sites: Path) -> None:
    """The Host header picks the folder; directories answer with index.html."""
    with serve_in_thread(sites) as address:
        home = get(address, "acme.co.uk")
        about = get(address, "acme.co.uk:8080", "/about/")
        robots = get(address, "acme.co.uk", "/robots.txt")

    assert home.status == 200
    assert b"<title>Acme</title>" in home.body
    assert home.getheader("ETag") and home.getheader("Last-Modified")
    assert b"About Acme" in about.body
    assert b"Disallow: /private/" in robots.body


def test_www_and_extensionless_paths_are_tolerated(sites: Path) -> None:
    """www. finds the bare folder, and /contact finds contact.html as on GitHub Pages."""
    with serve_in_thread(sites) as address:
        page = get(address, "WWW.Acme.co.uk.", "/contact")

    assert page.status == 200
    assert b"Contact Acme" in page.body


def test_missing_page_uses_the_site_404_and_never_leaves_the_folder(
    sites: Path,
) -> None:
    """A missing page is a 404 with the site's own 404.html; ../ cannot escape."""
    with serve_in_thread(sites) as address:
        missing = get(address, "acme.co.uk", "/no-such-page")
        escape = get(address, "acme.co.uk", "/../../secret.txt")
        dotdot_host = get(address, "..", "/secret.txt")

    assert missing.status == 404
    assert b"Lost" in missing.body
    assert escape.status == 404
    assert b"outside the web" not in escape.body
    assert dotdot_host.getheader(NO_SUCH_HOST_HEADER) == NO_SUCH_HOST


def test_unknown_hostname_answers_like_a_missing_domain(sites: Path) -> None:
    """A hostname with no folder is marked no-such-host for the crawler's handler."""
    with serve_in_thread(sites) as address:
        response = get(address, "nowhere.co.uk")

    assert response.status == 502
    assert response.getheader(NO_SUCH_HOST_HEADER) == NO_SUCH_HOST


def test_request_log_records_host_path_and_time(sites: Path) -> None:
    """Every request is logged so that tests can check a crawler's politeness."""
    with LocalWebThread(sites) as web:
        before = time.monotonic()
        get(web.address, "acme.co.uk", "/robots.txt")
        get(web.address, "ratelimit.test", "/")

    assert [(h, p) for h, p, _ in web.requests] == [
        ("acme.co.uk", "/robots.txt"),
        ("ratelimit.test", "/"),
    ]
    assert all(t >= before for _, _, t in web.requests)


@pytest.mark.asyncio
async def test_misbehaving_hosts_misbehave() -> None:
    """Each built-in .test host answers the way its name promises."""
    web = LocalWeb(None)
    await web.start()
    base = f"http://{web.address}"
    try:
        async with aiohttp.ClientSession() as session:

            async def fetch(host: str, path: str = "/", **options):
                async with session.get(
                    base + path,
                    headers={"Host": host},
                    allow_redirects=False,
                    **options,
                ) as response:
                    return response.status, response.headers, await response.read()

            status, headers, _ = await fetch("ratelimit.test")
            assert (status, headers["Retry-After"]) == (429, "1")
            await fetch("ratelimit.test")
            assert (await fetch("ratelimit.test"))[0] == 200

            assert (await fetch("error500.test"))[0] == 500
            assert (await fetch("error500.test", "/robots.txt"))[0] == 404
            assert (await fetch("robots-5xx.test", "/robots.txt"))[0] == 503
            robots = (await fetch("robots-disallow.test", "/robots.txt"))[2]
            assert b"Disallow: /" in robots
            assert (
                b"Crawl-delay: 1" in (await fetch("crawl-delay.test", "/robots.txt"))[2]
            )

            loop = [
                (await fetch("redirect-loop.test", p))[1]["Location"]
                for p in ("/", "/loop/a")
            ]
            assert loop == ["/loop/a", "/loop/b"]
            offsite = (await fetch("redirect-offsite.test"))[1]["Location"]
            assert offsite == "http://elsewhere.test/"
            private = (await fetch("redirect-private.test"))[1]["Location"]
            assert "169.254.169.254" in private

            _, headers, _ = await fetch("bad-charset.test")
            assert headers["Content-Type"].endswith("charset=no-such-charset")
            assert (await fetch("binary.test"))[1][
                "Content-Type"
            ] == "application/octet-stream"
            calendar = (await fetch("trap-calendar.test", "/calendar/2026/12/"))[2]
            assert b"/calendar/2027/01/" in calendar
            assert b'href="about/"' in (await fetch("trap-repeat.test", "/about/"))[2]

            async with session.get(base, headers={"Host": "huge.test"}) as response:
                assert response.content_length > 10 * 1024 * 1024
            async with session.get(base, headers={"Host": "endless.test"}) as response:
                assert response.content_length is None
                assert len(await response.content.read(1_000_000)) > 0
            with pytest.raises(TimeoutError):
                await fetch("slow.test", timeout=aiohttp.ClientTimeout(total=0.3))
    finally:
        await web.stop()


@pytest.mark.asyncio
async def test_start_refuses_a_missing_sites_folder(tmp_path: Path) -> None:
    """A sites folder that does not exist is named in the error."""
    web = LocalWeb(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="nope"):
        await web.start()


def test_address_before_start_is_an_error() -> None:
    """Asking for the address of a server not yet started says what to do."""
    with pytest.raises(RuntimeError, match="start"):
        _ = LocalWeb(None).address
