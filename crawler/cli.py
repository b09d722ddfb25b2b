"""The ``datacity`` command line."""

from __future__ import annotations

import logging
import sys

import typer
from rich.console import Console

from crawler import __version__, migrations
from crawler.config import load_settings
from crawler.errors import ConfigError

app = typer.Typer(
    help="Build a live register of a city's digital organisations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"datacity {__version__}")
        raise typer.Exit


@app.callback()
def main(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Show the version and exit.",
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at DEBUG level."),
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        # Alembic narrates every connection at INFO; the command prints the outcome.
        logging.getLogger("alembic").setLevel(logging.WARNING)


def fail(message: str) -> typer.Exit:
    """Print one clear line to stderr and return the exit to raise."""
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code=2)


def settings_or_fail():
    try:
        return load_settings()
    except ConfigError as error:
        raise fail(str(error)) from None


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = settings_or_fail()
    try:
        migrations.upgrade(settings.database_url, revision)
    except OSError as error:
        raise fail(f"cannot reach the database at DATABASE_URL: {error}") from None
    url = settings.database_url.render_as_string(hide_password=True)
    revision = migrations.current(settings.database_url)
    console.print(f"Database at {url} is at revision {revision}", soft_wrap=True)


@db_app.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    settings = settings_or_fail()
    try:
        revision = migrations.current(settings.database_url)
    except OSError as error:
        raise fail(f"cannot reach the database at DATABASE_URL: {error}") from None
    typer.echo(revision or "(empty: run `datacity db upgrade`)")


from crawler.commands.localweb import localweb  # noqa: E402

app.command("localweb")(localweb)

from crawler.commands.export import export  # noqa: E402
from crawler.commands.report import report  # noqa: E402

app.command("report")(report)
app.command("export")(export)

from crawler.commands.demo import demo_command  # noqa: E402

app.command("demo")(demo_command)

from crawler.commands.analyse import analyse  # noqa: E402

app.command("analyse")(analyse)

from crawler.commands.seed import app as seed_app  # noqa: E402

app.add_typer(seed_app, name="seed")

from crawler.commands.evaluate import evaluate_command  # noqa: E402

app.command("evaluate")(evaluate_command)


if __name__ == "__main__":
    sys.exit(app())
