"""The organisation's digital score: calibrated, explainable, abstaining on thin text."""

from __future__ import annotations

import math

from crawler.classify import classify, features_of, fit, score_of
from crawler.extract.signals import Signal, taxonomy
from tests.conftest import shared_data

URL = "https://acme.co.uk/"


def keyword(value: str, weight: float = 1.0) -> Signal:
    return Signal("keyword", value, weight, URL, f"… {value} …")


def test_producer_evidence_scores_high_with_sectors() -> None:
    """Several producer phrases give a yes, a high score and the matching sub-sectors."""
    signals = [
        keyword("bespoke software"),
        keyword("software development"),
        keyword("mobile app development"),
        keyword("penetration testing"),
    ]
    result = classify(signals, words=800)
    assert result.is_digital is True
    assert result.score is not None and result.score > 0.75
    assert result.sectors[0] == "Software development"
    assert "Cyber security" in result.sectors


def test_a_user_of_technology_is_not_a_producer() -> None:
    """A bakery on Shopify with an app-store badge stays below the threshold."""
    signals = [
        Signal("technology", "Shopify", 0.0, URL),
        Signal("technology", "Google Analytics", 0.0, URL),
        keyword("bakery", -0.6),
        keyword("cakes", -0.6),
        keyword("app store"),
    ]
    result = classify(signals, words=600)
    assert result.is_digital is False
    assert result.sectors == []


def test_too_little_text_abstains() -> None:
    """A near-empty page with no structural evidence gives no verdict at all."""
    result = classify([keyword("saas")], words=12)
    assert result.is_digital is None
    assert result.score is None


def test_structural_evidence_overrides_thin_text() -> None:
    """A code-hosting link is judged even on a page with few words."""
    signals = [
        Signal("code_hosting", "https://github.com/acme", 1.5, URL),
        keyword("software engineering"),
    ]
    assert classify(signals, words=12).is_digital is True


def test_evidence_is_ranked_by_weight_and_explains_both_ways() -> None:
    """Top evidence lists signals for and against by absolute weight, technologies left out."""
    signals = [
        keyword("python", 0.35),
        keyword("web design"),
        keyword("plumber", -0.6),
        Signal("technology", "jQuery", 0.0, URL),
        Signal("sic", "62012", 1.0, URL),
    ]
    evidence = classify(signals, words=500).evidence
    assert [s.value for s in evidence] == ["web design", "plumber", "python"]


def test_sic_never_feeds_the_web_score() -> None:
    """The registry's SIC signal is kept out of the web verdict."""
    base = [keyword("plumber", -0.6)]
    with_sic = [*base, Signal("sic", "62012", 1.0, URL)]
    assert classify(base, words=500).score == classify(with_sic, words=500).score


def test_each_phrase_counts_once_per_organisation() -> None:
    """The same phrase on ten pages is one piece of evidence."""
    once = features_of([keyword("saas")])
    many = features_of([Signal("keyword", "saas", 1.0, f"{URL}{n}") for n in range(10)])
    assert once == many
    assert once["producer"] == math.log1p(1.0)


def test_score_follows_the_documented_formula() -> None:
    """score = 1 / (1 + e^-z) with z from the taxonomy's coefficients."""
    coefficients = taxonomy().classifier
    features = {
        "producer": 1.0,
        "other": 0.5,
        "careers": 1.0,
        "code_hosting": 0.0,
        "schema_org": 0.0,
    }
    z = (
        coefficients["intercept"]
        + coefficients["producer"]
        - 0.5 * coefficients["other"]
        + coefficients["careers"]
    )
    assert math.isclose(score_of(features, coefficients), 1 / (1 + math.exp(-z)))


def test_fit_separates_labelled_rows() -> None:
    """The logistic fit puts a positive weight on producer and on other (subtracted)."""
    zero = {"careers": 0.0, "code_hosting": 0.0, "schema_org": 0.0}
    rows = [
        {"producer": 2.0, "other": 0.0, **zero},
        {"producer": 1.5, "other": 0.3, **zero},
        {"producer": 0.0, "other": 1.2, **zero},
        {"producer": 0.2, "other": 1.0, **zero},
    ]
    fitted = fit(rows, [True, True, False, False])
    assert fitted["producer"] > 0
    assert fitted["other"] > 0
    assert score_of(rows[0], fitted) > 0.5 > score_of(rows[2], fitted)


def test_shared_labelled_sets_reach_the_f1_target() -> None:
    """is_digital F1 is at least 0.9 on both shared labelled sets, borderline as no."""
    from bench.analyse import load_items, prf
    from crawler.analyse import analyse_site

    items = load_items(shared_data("company_web_pages", "labels.csv").parent.parent)
    for source in ("pages", "sites"):
        chosen = [item for item in items if item.source == source]
        predicted = [bool(analyse_site(item.pages).is_digital) for item in chosen]
        truth = [item.label == "yes" for item in chosen]
        precision, recall, f1 = prf(predicted, truth)
        assert f1 >= 0.9, (source, precision, recall)
