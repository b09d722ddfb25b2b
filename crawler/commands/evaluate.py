"""``datacity evaluate``: precision and recall of the extraction on labelled pages."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from crawler.evaluate import LabelsError, Report, evaluate

logger = logging.getLogger(__name__)

console = Console()
errors = Console(stderr=True)


def evaluate_command(
    labels: Path = typer.Option(
        ...,
        "--labels",
        help="A labels.csv in the per-page or the per-site format; the pages sit "
        "next to it (html/… or sites/<domain>/…).",
        resolve_path=True,
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Score contacts and is_digital against hand labels; list every mistake."""
    analyse = site_analyser()
    try:
        if as_json or not console.is_terminal:
            report = evaluate(labels, analyse=analyse)
        else:
            with Progress(console=errors, transient=True) as progress:
                task = progress.add_task("Evaluating", total=None)
                report = evaluate(
                    labels,
                    analyse=analyse,
                    progress=lambda done, total: progress.update(
                        task, completed=done, total=total
                    ),
                )
    except LabelsError as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(code=2) from None

    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        show(report, analyse is not None)


def site_analyser() -> Callable | None:
    """The site classifier (``crawler.analyse.analyse_site``) when it is installed."""
    try:
        from crawler.analyse import analyse_site
    except ImportError:
        logger.warning("crawler.analyse is not available: is_digital is not scored")
        return None
    return analyse_site


def show(report: Report, classified: bool) -> None:
    """Print the scores table, then every false positive and false negative."""
    console.print(
        f"[bold]{report.labels}[/] ({report.format} format): {report.items} items, "
        f"{report.pages} pages"
    )
    table = Table("kind", "precision", "recall", "F1", "TP", "FP", "FN", "exact")
    for kind, score in report.scores.items():
        right, total = report.exact[kind]
        table.add_row(
            kind,
            _rate(score.precision),
            _rate(score.recall),
            _rate(score.f1),
            str(score.tp),
            str(score.fp),
            str(score.fn),
            f"{right}/{total}",
        )
    if report.is_digital is not None:
        score = report.is_digital
        table.add_row(
            "is_digital",
            _rate(score.precision),
            _rate(score.recall),
            _rate(score.f1),
            str(score.tp),
            str(score.fp),
            str(score.fn),
            f"abstained {report.is_digital_abstained}",
        )
    console.print(table)
    if not classified:
        console.print("is_digital: not available (crawler.analyse is not installed)")
    else:
        console.print("is_digital: borderline labels count as 'no'; abstain as 'no'")

    # Plain lines, not a table: URLs and addresses must not be cut to fit.
    for error in report.errors:
        where = f"  (on {error.where})" if error.where else ""
        console.print(
            f"{error.outcome.replace('_', ' ')}: {error.item} {error.kind} "
            f"{error.value}{where}",
            highlight=False,
            soft_wrap=True,
        )
    for item, label, predicted in report.is_digital_errors:
        console.print(
            f"is_digital mistake: {item} labelled {label}, predicted {predicted}",
            highlight=False,
            soft_wrap=True,
        )


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
