"""The digital score of an organisation, from the signals of all its pages.

The score is a logistic function of five aggregate features of the web evidence::

    producer      log(1 + Σ weights of the distinct producer phrases)
    other         log(1 + Σ |weights| of the distinct other-sector phrases and types)
    careers       1 if a careers page names a technical role, else 0
    code_hosting  1 if the site links to its own code-hosting account, else 0
    schema_org    1 if the site declares a software schema.org type, else 0

    z = intercept + c1·producer - c2·other + c3·careers + c4·code_hosting + c5·schema_org
    score = 1 / (1 + e^-z)

The coefficients and the yes/no threshold live in the ``[classifier]`` table of the
taxonomy; they were fitted with :func:`fit` on the labelled sites and pages
(``python -m bench.analyse --calibrate``), borderline labels left out. Technologies a
site is built with weigh nothing (a bakery on Shopify uses technology, it does not make
it), and the registry's ``sic`` signal is evidence kept apart: it never feeds this
web verdict. With fewer than ``min_words`` words of text and no signal other than
keywords the result is ``None`` (abstain).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from crawler.extract.signals import Signal, Taxonomy, taxonomy

FEATURES = ("producer", "other", "careers", "code_hosting", "schema_org")
# Kinds that never feed the web score: registry data, derived sector totals and the
# technologies a site uses.
IGNORED_KINDS = frozenset({"sic", "sector", "technology"})
TOP_EVIDENCE = 10
# A sub-sector is listed when it holds this share of the strongest one's weight.
SECTOR_SHARE = 0.34


class SignalLike(Protocol):
    kind: str
    value: str
    weight: float


@dataclass(frozen=True, slots=True)
class Classification:
    """The web-evidence verdict on one organisation."""

    is_digital: bool | None
    score: float | None
    sectors: list[str]
    evidence: list[Signal]
    features: dict[str, float] = field(default_factory=dict)


def features_of(signals: Iterable[SignalLike]) -> dict[str, float]:
    """The aggregate features of an organisation's signals (each distinct
    (kind, value) counted once, whichever page it came from)."""
    distinct: dict[tuple[str, str], float] = {}
    for signal in signals:
        if signal.kind not in IGNORED_KINDS:
            distinct.setdefault((signal.kind, signal.value), signal.weight)

    producer = other = careers = code = schema = 0.0
    for (kind, _value), weight in distinct.items():
        if weight < 0:
            other += -weight
        elif kind == "keyword":
            producer += weight
        elif kind == "careers":
            careers = 1.0
        elif kind == "code_hosting":
            code = 1.0
        elif kind == "schema_org" and weight > 0:
            schema = 1.0
    return {
        "producer": math.log1p(producer),
        "other": math.log1p(other),
        "careers": careers,
        "code_hosting": code,
        "schema_org": schema,
    }


def score_of(features: dict[str, float], coefficients: dict[str, float]) -> float:
    z = coefficients["intercept"]
    for name in FEATURES:
        sign = -1.0 if name == "other" else 1.0
        z += sign * coefficients[name] * features[name]
    return 1.0 / (1.0 + math.exp(-z))


def classify(
    signals: Sequence[Signal | SignalLike],
    *,
    words: int,
    tax: Taxonomy | None = None,
) -> Classification:
    """Score an organisation from all its pages' *signals* and their total *words*."""
    tax = tax or taxonomy()
    settings = tax.classifier
    counted = [s for s in signals if s.kind not in IGNORED_KINDS]
    features = features_of(counted)
    evidence = _top_evidence(counted)

    structural = any(s.kind != "keyword" and s.weight > 0 for s in counted)
    if words < settings["min_words"] and not structural:
        return Classification(None, None, [], evidence, features)

    score = score_of(features, settings)
    is_digital = score >= settings["threshold"]
    sectors = _sectors(counted, tax) if is_digital else []
    return Classification(is_digital, round(score, 4), sectors, evidence, features)


def fit(
    rows: Sequence[dict[str, float]],
    labels: Sequence[bool],
    *,
    l2: float = 0.1,
    iterations: int = 50,
) -> dict[str, float]:
    """Logistic regression of *labels* on the feature *rows* by Newton's method.

    Written here because the fit has five features and a few dozen rows: no numerical
    library is worth a dependency for it. The small L2 penalty keeps the weights finite
    when the labelled rows separate perfectly.
    """
    names = ["intercept", *FEATURES]
    matrix = [
        [1.0] + [(-1.0 if n == "other" else 1.0) * row[n] for n in FEATURES]
        for row in rows
    ]
    targets = [1.0 if label else 0.0 for label in labels]
    weights = [0.0] * len(names)
    for _ in range(iterations):
        gradient = [0.0] * len(names)
        hessian = [[0.0] * len(names) for _ in names]
        for x, y in zip(matrix, targets, strict=True):
            p = 1.0 / (
                1.0 + math.exp(-sum(w * v for w, v in zip(weights, x, strict=True)))
            )
            for i, xi in enumerate(x):
                gradient[i] += (p - y) * xi
                for j, xj in enumerate(x):
                    hessian[i][j] += p * (1 - p) * xi * xj
        for i in range(1, len(names)):
            gradient[i] += l2 * weights[i]
            hessian[i][i] += l2
        step = _solve(hessian, gradient)
        weights = [w - s for w, s in zip(weights, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return {name: round(w, 3) for name, w in zip(names, weights, strict=True)}


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the matrix is small and SPD)."""
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-12:
            continue
        for row in range(col + 1, n):
            factor = a[row][col] / a[col][col]
            for k in range(col, n + 1):
                a[row][k] -= factor * a[col][k]
    solution = [0.0] * n
    for row in range(n - 1, -1, -1):
        if abs(a[row][row]) < 1e-12:
            continue
        rest = sum(a[row][k] * solution[k] for k in range(row + 1, n))
        solution[row] = (a[row][n] - rest) / a[row][row]
    return solution


def _top_evidence(signals: Sequence[Signal | SignalLike]) -> list[Signal]:
    """The strongest distinct signals, for and against, as the explanation."""
    distinct: dict[tuple[str, str], Signal | SignalLike] = {}
    for signal in signals:
        if signal.weight:
            distinct.setdefault((signal.kind, signal.value), signal)
    ranked = sorted(distinct.values(), key=lambda s: (-abs(s.weight), s.kind, s.value))
    return [_as_signal(s) for s in ranked[:TOP_EVIDENCE]]


def _as_signal(signal: Signal | SignalLike) -> Signal:
    if isinstance(signal, Signal):
        return signal
    return Signal(
        signal.kind,
        signal.value,
        float(signal.weight),
        str(getattr(signal, "url", None) or getattr(signal, "source_url", "")),
        str(getattr(signal, "snippet", "") or ""),
    )


def _sectors(signals: Sequence[Signal | SignalLike], tax: Taxonomy) -> list[str]:
    weights: dict[str, float] = {}
    seen: set[str] = set()
    for signal in signals:
        if signal.kind != "keyword" or signal.weight <= 0 or signal.value in seen:
            continue
        seen.add(signal.value)
        sector = tax.sector_of(signal.value)
        if sector:
            weights[sector] = weights.get(sector, 0.0) + signal.weight
    if not weights:
        return []
    strongest = max(weights.values())
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return [tax.sectors[key] for key, w in ranked if w >= SECTOR_SHARE * strongest]
