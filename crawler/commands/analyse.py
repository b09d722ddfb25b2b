"""``datacity analyse``: the verdict on a saved page or a folder of one site's pages."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

import typer
from rich.console import Console
from rich.table import Table
from w3lib.encoding import html_to_unicode

from crawler.analyse import Verdict, analyse_site
from crawler.extract.page import Page

console = Console()
errors = Console(stderr=True)
HTML_SUFFIXES = {".html", ".htm"}


def analyse(
    path: Path = typer.Argument(
        ...,
        help="A saved HTML file, or a folder holding one site's pages.",
        resolve_path=True,
    ),
    url: str = typer.Option(
        None,
        "--url",
        help="The page's URL (for a file) or the site's root URL (for a folder). "
        "Default: https://<folder name>/ when the folder is named like a domain.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Analyse saved pages: is the organisation digital, why, and its contacts."""
    try:
        pages = load_pages(path, url)
    except ValueError as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None

    verdict = analyse_site(pages)
    if as_json:
        typer.echo(json.dumps(verdict.to_json(), ensure_ascii=False, indent=2))
    else:
        show(verdict, path)


def load_pages(path: Path, url: str | None = None) -> list[Page]:
    """Pages from a saved HTML file or from every .html/.htm file under a folder."""
    if not path.exists():
        raise ValueError(f"{path} does not exist")
    if path.is_file():
        base = url or urljoin(_default_root(path.parent), path.name)
        return [Page(base, _read_html(path))]

    files = sorted(
        p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in HTML_SUFFIXES
    )
    if not files:
        raise ValueError(f"{path} holds no .html or .htm file")
    root = url or _default_root(path)
    if not root.endswith("/"):
        root += "/"
    return [
        Page(urljoin(root, f.relative_to(path).as_posix()), _read_html(f))
        for f in files
    ]


def show(verdict: Verdict, path: Path) -> None:
    """Print *verdict* for a person: the answer, the evidence, the contacts."""
    answer = {True: "[green]yes[/]", False: "[red]no[/]", None: "[yellow]unknown[/]"}
    score = "-" if verdict.digital_score is None else f"{verdict.digital_score:.2f}"
    console.print(
        f"[bold]{path}[/]: {verdict.pages} page(s), {verdict.words} words, "
        f"ruleset {verdict.ruleset_version}"
    )
    console.print(f"Digital: {answer[verdict.is_digital]}  (score {score})")
    if verdict.is_digital is None:
        console.print("Too little text to judge.")
    if verdict.sectors:
        console.print(f"Sectors: {', '.join(verdict.sectors)}")

    if verdict.evidence:
        table = Table(title="Top evidence", title_justify="left")
        for column in ("kind", "value", "weight", "snippet"):
            table.add_column(column, overflow="fold")
        for signal in verdict.evidence:
            table.add_row(
                signal.kind, signal.value, f"{signal.weight:+.2f}", signal.snippet[:100]
            )
        console.print(table)

    contacts = Table(title="Contacts", title_justify="left")
    for column in ("kind", "value", "shown", "personal"):
        contacts.add_column(column, overflow="fold")
    for contact in verdict.contacts:
        personal = "yes" if contact.is_personal else ""
        contacts.add_row(contact.kind, contact.value, contact.shown, personal)
    console.print(contacts if verdict.contacts else "Contacts: none found")
    if verdict.technologies:
        console.print(f"Technologies: {', '.join(verdict.technologies)}")


def _default_root(folder: Path) -> str:
    name = folder.name.lower()
    return f"https://{name}/" if "." in name else "https://localhost/"


def _read_html(path: Path) -> str:
    """The file's text, decoded by its BOM or <meta charset>, else UTF-8."""
    try:
        body = path.read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror}") from None
    _encoding, text = html_to_unicode(None, body)
    return text
