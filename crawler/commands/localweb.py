"""``datacity localweb``: serve saved websites on loopback for crawls and demos."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console

from crawler.localweb import LocalWeb
from crawler.localweb.misbehaving import HOSTS

console = Console(stderr=True)


def localweb(
    sites: Path = typer.Option(
        ...,
        "--sites",
        help="Folder with one subfolder per hostname (DIR/example.co.uk/index.html).",
        exists=True,
        file_okay=False,
        dir_okay=True,
        resolve_path=True,
    ),
    port: int = typer.Option(8089, "--port", help="Port on 127.0.0.1 (0: any free)."),
) -> None:
    """Serve saved websites on 127.0.0.1 until interrupted.

    Point a crawl at it with DATACITY_LOCALWEB=127.0.0.1:PORT.
    """
    try:
        asyncio.run(_serve(sites, port))
    except KeyboardInterrupt:
        console.print("Local web stopped")
    except OSError as error:
        console.print(f"[bold red]error:[/] cannot listen on 127.0.0.1:{port}: {error}")
        raise typer.Exit(code=2) from None


async def _serve(sites: Path, port: int) -> None:
    web = LocalWeb(sites, port=port)
    await web.start()
    try:
        console.print(
            f"Serving {len(web.hostnames())} sites from {sites} and "
            f"{len(HOSTS)} misbehaving .test hosts on http://{web.address}/"
        )
        console.print(
            f"Crawl it with: DATACITY_LOCALWEB={web.address} scrapy crawl sites"
        )
        await asyncio.Event().wait()
    finally:
        await web.stop()
