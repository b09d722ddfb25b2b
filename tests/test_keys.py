"""Natural keys: company numbers and organisation keys."""

from __future__ import annotations

import pytest

from crawler.keys import normalise_company_number, organisation_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("1234", "00001234", id="short-digits-padded"),
        pytest.param(" sc 123456 ", "SC123456", id="scottish-spaces-case"),
        pytest.param("NI612345", "NI612345", id="northern-ireland"),
        pytest.param("OC301234", "OC301234", id="llp"),
        pytest.param("IP10067R", "IP10067R", id="industrial-provident"),
        pytest.param("R0012345", "R0012345", id="old-northern-ireland"),
    ],
)
def test_company_numbers_normalised(raw: str, expected: str) -> None:
    """Real Companies House forms come back in their eight-character form."""
    assert normalise_company_number(raw) == expected


@pytest.mark.parametrize("raw", ["", "123456789", "ABCDEFGH", "12-34-56"])
def test_not_company_numbers_rejected(raw: str) -> None:
    """Anything else is refused with the value in the message."""
    with pytest.raises(ValueError, match="not a company number"):
        normalise_company_number(raw)


def test_organisation_key_prefers_number_over_domain() -> None:
    """A numbered organisation is keyed by jurisdiction and number, else by domain."""
    assert organisation_key(
        jurisdiction="GB", company_number="01234567", domain="x.io"
    ) == ("gb:01234567")
    assert organisation_key(domain="Example.CO.UK") == "domain:example.co.uk"
