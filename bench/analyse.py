"""
Benchmark: analysis of one page (signals, technologies, contacts), against a bare parse.

    python -m bench.analyse [--data ../shared/data] [--repeat 3] [--calibrate]

Every saved page of the shared labelled sets (``company_web_pages/html`` and
``websites/sites``) is analysed from its HTML, as the pipeline does it: a new
:class:`~crawler.extract.page.Page`, parsed, then :func:`crawler.analyse.analyse_page`.
The baseline, measured in the same run on the same pages, is a bare
``lxml.html.document_fromstring``; its total over the analysis total is the share of
time spent parsing HTML. Figures are medians over ``--repeat`` rounds.

The same run reports the is_digital quality on the labels (borderline counted as
"no"), in-sample and leave-one-out; ``--calibrate`` also prints the logistic
coefficients fitted on those labels, to copy into ``crawler/data/taxonomy.toml``.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from rich.console import Console
from rich.table import Table

from crawler.analyse import analyse_page, verdict_of
from crawler.classify import features_of, fit, score_of
from crawler.extract.contacts import extract_contacts
from crawler.extract.page import Page
from crawler.extract.signals import extract_signals, taxonomy
from crawler.extract.technologies import detect_technologies, fingerprints

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
console = Console()


@dataclass
class Item:
    """One labelled unit: a company page judged alone, or a whole site."""

    source: str
    name: str
    label: str
    pages: list[Page]


def load_items(data: Path) -> list[Item]:
    items = []
    pages_dir = data / "company_web_pages"
    with (pages_dir / "labels.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            host = row["site"].split("//")[-1].split("/")[0]
            html = (pages_dir / row["file"]).read_text("utf-8", "replace")
            page = Page(f"https://{host}/", html)
            items.append(
                Item("pages", row["file"], row["is_digital_tech_business"], [page])
            )
    sites_dir = data / "websites"
    with (sites_dir / "labels.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            root = sites_dir / "sites" / row["domain"]
            pages = [
                Page(
                    f"https://{row['domain']}/{path.relative_to(root).as_posix()}",
                    path.read_text("utf-8", "replace"),
                )
                for path in sorted(root.rglob("*.htm*"))
            ]
            items.append(Item("sites", row["domain"], row["is_digital"], pages))
    return items


def time_analysis(pages: list[Page], repeat: int) -> dict[str, list[float]]:
    """Per page, the median over rounds of the analysis wall time, its CPU time (this
    thread only, so other processes on a shared machine do not count) and the wall
    time of a bare lxml parse; all in seconds."""
    times: dict[str, list[list[float]]] = {
        name: [[0.0] * repeat for _ in pages] for name in ("wall", "cpu", "parse")
    }
    for round_ in range(repeat):
        for i, source in enumerate(pages):
            started = time.perf_counter()
            lxml.html.document_fromstring(source.html.encode("utf-8"))
            times["parse"][i][round_] = time.perf_counter() - started

            started, started_cpu = time.perf_counter(), time.thread_time()
            analyse_page(Page(source.url, source.html, source.headers))
            times["wall"][i][round_] = time.perf_counter() - started
            times["cpu"][i][round_] = time.thread_time() - started_cpu
    return {
        name: [statistics.median(rounds) for rounds in per_page]
        for name, per_page in times.items()
    }


def _views(page: Page) -> object:
    return page.text, page.links, page.meta, page.jsonld, page.title


STEPS = (
    ("parse (Page.tree)", lambda page: page.tree),
    ("text, links, meta, JSON-LD views", _views),
    (
        "keywords, careers, code hosting, schema.org",
        lambda page: extract_signals(page, technologies=False),
    ),
    ("technologies", detect_technologies),
    ("contacts", extract_contacts),
)


def time_steps(pages: list[Page]) -> dict[str, list[float]]:
    """CPU seconds per page of each step of the analysis, in the order it runs."""
    steps: dict[str, list[float]] = {name: [] for name, _ in STEPS}
    for source in pages:
        page = Page(source.url, source.html, source.headers)
        for name, step in STEPS:
            started = time.thread_time()
            step(page)
            steps[name].append(time.thread_time() - started)
    return steps


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def prf(predicted: list[bool], truth: list[bool]) -> tuple[float, float, float]:
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def quality(items: list[Item], *, calibrate: bool) -> None:
    """is_digital precision, recall and F1 per labels file, and leave-one-out."""
    tax = taxonomy()
    settings = tax.classifier
    verdicts = [verdict_of([analyse_page(p) for p in item.pages]) for item in items]
    truth = [item.label == "yes" for item in items]

    table = Table(title="is_digital (borderline counted as no)", title_justify="left")
    for column in ("labels", "items", "abstain", "precision", "recall", "F1"):
        table.add_column(column, justify="right")
    for source in ("pages", "sites", "all"):
        chosen = [i for i, item in enumerate(items) if source in ("all", item.source)]
        predicted = [bool(verdicts[i].is_digital) for i in chosen]
        p, r, f = prf(predicted, [truth[i] for i in chosen])
        abstained = sum(verdicts[i].is_digital is None for i in chosen)
        table.add_row(
            source, str(len(chosen)), str(abstained), f"{p:.3f}", f"{r:.3f}", f"{f:.3f}"
        )
    console.print(table)

    for item, verdict, label in zip(items, verdicts, truth, strict=True):
        if bool(verdict.is_digital) != label:
            console.print(
                f"  wrong: {item.source}/{item.name} labelled {item.label}, "
                f"called {verdict.is_digital} (score {verdict.digital_score})"
            )

    # Leave-one-out: refit without each item, then judge it (the abstain rule aside).
    rows = [features_of(v.signals) for v in verdicts]
    held_out = []
    for i in range(len(items)):
        others = [j for j in range(len(items)) if j != i]
        fitted = fit([rows[j] for j in others], [truth[j] for j in others], l2=1.0)
        fitted |= {k: settings[k] for k in ("careers", "schema_org")}
        held_out.append(score_of(rows[i], fitted) >= settings["threshold"])
    p, r, f = prf(held_out, truth)
    console.print(f"Leave-one-out: precision {p:.3f}, recall {r:.3f}, F1 {f:.3f}")

    if calibrate:
        fitted = fit(rows, truth, l2=1.0)
        console.print(f"Fitted on all {len(items)} items (L2 1.0): {fitted}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--calibrate", action="store_true")
    args = parser.parse_args()

    items = load_items(args.data)
    pages = [page for item in items for page in item.pages]
    # Compile the fingerprints and taxonomy first: a one-off cost per process.
    started = time.perf_counter()
    fingerprints()
    taxonomy()
    warmup = time.perf_counter() - started

    times = time_analysis(pages, args.repeat)
    table = Table(
        title=f"Analysis of one page ({len(pages)} pages, median of {args.repeat})",
        title_justify="left",
    )
    for column in ("measure", "median ms", "p95 ms", "pages/s"):
        table.add_column(column, justify="right")
    for name, key in (
        ("analyse_page: parse, signals, technologies, contacts (wall)", "wall"),
        ("analyse_page (CPU time of this thread)", "cpu"),
        ("bare lxml parse of the same page (baseline, wall)", "parse"),
    ):
        table.add_row(
            name,
            f"{statistics.median(times[key]) * 1000:.2f}",
            f"{percentile(times[key], 0.95) * 1000:.2f}",
            f"{len(pages) / sum(times[key]):.0f}",
        )
    console.print(table)
    # On a shared machine the wall times depend on what else runs: say how busy it was.
    console.print(
        "Load average (1, 5, 15 min) at the end of the timing: "
        + ", ".join(f"{load:.2f}" for load in os.getloadavg())
    )
    console.print(
        f"Share of analysis time in HTML parsing: "
        f"{sum(times['parse']) / sum(times['wall']):.0%}; "
        f"one-off compile of fingerprints and taxonomy: {warmup * 1000:.0f} ms"
    )

    steps = time_steps(pages)
    table = Table(title="Where the CPU time goes (one round)", title_justify="left")
    for column in ("step", "median ms", "p95 ms", "share"):
        table.add_column(column, justify="right")
    total = sum(sum(spent) for spent in steps.values())
    for name, spent in steps.items():
        table.add_row(
            name,
            f"{statistics.median(spent) * 1000:.2f}",
            f"{percentile(spent, 0.95) * 1000:.2f}",
            f"{sum(spent) / total:.0%}",
        )
    console.print(table)

    quality(items, calibrate=args.calibrate)


if __name__ == "__main__":
    main()
