"""Organisation names reduced to the words that tell one organisation from another.

"SMITH & JONES (UK) LIMITED", "Smith and Jones Ltd" and "smith & jones" are one name
to a person reading a website. Discovery needs that reading twice: to guess domains
from a registered name, and to compare the name with what a site calls itself.
"""

from __future__ import annotations

import re

from anyascii import anyascii

# Legal forms: never part of a domain or of the name a site shows in its header.
# Multi-word forms are listed as word tuples and matched at the end of the name.
LEGAL_FORMS: tuple[tuple[str, ...], ...] = (
    ("community", "interest", "company"),
    ("limited", "liability", "partnership"),
    ("public", "limited", "company"),
    ("private", "limited", "company"),
    ("limited",),
    ("ltd",),
    ("llp",),
    ("plc",),
    ("cic",),
    ("cio",),
    ("lp",),
    ("llc",),
    ("inc",),
    # Foreign forms a UK register also holds (overseas companies, branches).
    ("gmbh",),
    ("ag",),
    ("bv",),
    ("nv",),
    ("sa",),
    ("sarl",),
    ("srl",),
    ("as",),
    ("ab",),
    ("oy",),
    ("pty",),
)

# Words a business often drops from its domain: "Smith Group Ltd" is smith.co.uk as
# often as smithgroup.co.uk, so both are tried.
DESCRIPTIVE: frozenset[str] = frozenset({"uk", "group", "holdings", "co", "company"})

# Words with no weight of their own when names are compared or abbreviated.
STOPWORDS: frozenset[str] = frozenset({"the", "and", "of", "for", "a"})

_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_DOTTED = re.compile(r"\b(?:[a-z0-9]\.){1,}[a-z0-9]\b\.?")  # I.T. / a.s. / c.i.c.
_PARENTHESES = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def words(name: str) -> list[str]:
    """Lower-case ASCII words of *name*: ``&`` and ``+`` read "and", ``I.T.`` is "it"."""
    text = anyascii(name).lower()
    text = _APOSTROPHES.sub("", text)
    text = text.replace("&", " and ").replace("+", " and ")
    text = _DOTTED.sub(lambda match: match.group(0).replace(".", ""), text)
    return [word for word in _NON_WORD.split(text) if word]


def strip_legal_form(tokens: list[str]) -> list[str]:
    """*tokens* without trailing legal forms ("ltd", "limited liability partnership")."""
    tokens = list(tokens)
    changed = True
    while changed and tokens:
        changed = False
        for form in LEGAL_FORMS:
            if len(tokens) > len(form) and tuple(tokens[-len(form) :]) == form:
                del tokens[-len(form) :]
                changed = True
                break
    return tokens


def strip_descriptive(tokens: list[str]) -> list[str]:
    """*tokens* without a leading "the" and trailing "uk", "group", "& co" and the like."""
    tokens = list(tokens)
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in DESCRIPTIVE:
        tokens.pop()
        if len(tokens) > 1 and tokens[-1] == "and":
            tokens.pop()
    return tokens


def without_brackets(name: str) -> str:
    """*name* with bracketed parts removed: "Acme (UK) Ltd" → "Acme  Ltd"."""
    return _PARENTHESES.sub(" ", name)


def core_words(name: str) -> list[str]:
    """The distinguishing words: brackets and legal form removed, the rest kept."""
    return strip_legal_form(words(without_brackets(name)))


def core(name: str) -> str:
    """The distinguishing words as one string, for fuzzy comparison."""
    return " ".join(core_words(name))


def legal_name(name: str) -> str:
    """All words including the legal form, as a site prints it in its disclosure."""
    return " ".join(words(without_brackets(name)))
