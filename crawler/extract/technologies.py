"""Technologies a page is built with, from the MIT-licensed Wappalyzer fingerprints.

The fingerprints are the last MIT-licensed snapshot (2023-01-24, 3,588 technologies),
copied into ``crawler/data/fingerprints`` with their licence. No maintained Python
library evaluates them without a browser, so the matcher is written here.

Pattern kinds evaluated, all case-insensitive as in Wappalyzer:

- ``headers``: response header name → pattern on each value;
- ``cookies``: cookie names (``*`` wildcards allowed) from ``Set-Cookie`` headers;
- ``meta``: ``<meta name|property>`` → pattern on its content;
- ``html``: pattern on the raw HTML (its first 60,000 and last 20,000 characters);
- ``scriptSrc``: pattern on each ``<script src>`` URL;
- ``url``: pattern on the page URL;
- ``implies``, ``requires``, ``excludes`` between technologies.

Pattern kinds NOT evaluated, because they need a browser, a live JavaScript runtime or
extra network requests: ``js`` (global JavaScript variables), ``dom`` (CSS selectors
over the rendered DOM), ``dns``, ``xhr``, ``css``, ``scripts`` (script bodies),
``text``, ``certIssuer``, ``robots``, ``probe`` and ``requiresCategory``. 869 of the
3,588 technologies have no pattern of an evaluated kind; except where another
technology implies them, they are never reported.

Patterns are compiled once, on first use, and kept for the process. Each regex is
guarded by the literals it cannot match without (found by parsing the regex: every
group of alternatives of which a match holds one); one Aho-Corasick pass over the
lowercased HTML and script URLs says which literals occur, and only the regexes with
every group present are run.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

import ahocorasick_rs

from crawler.extract.page import Page

logger = logging.getLogger(__name__)

FINGERPRINTS = Path(__file__).resolve().parent.parent / "data" / "fingerprints"
EVALUATED_KINDS = ("headers", "cookies", "meta", "html", "scriptSrc", "url")
NOT_EVALUATED_KINDS = (
    "js",
    "dom",
    "dns",
    "xhr",
    "css",
    "scripts",
    "text",
    "certIssuer",
    "robots",
    "probe",
    "requiresCategory",
)
_MIN_LITERAL = 3
# A short literal run followed by alternatives ("uk-(?:container|section)") is joined
# with them into one guard while the alternatives stay this few.
_MAX_ALTERNATIVES = 8
# HTML patterns are read in the first and last part of a long page only: generators,
# stylesheets, scripts and "powered by" footers sit there, and the middle of a 500 KB
# page would cost more time than all the rest of its analysis.
HTML_HEAD_CHARS = 60_000
HTML_TAIL_CHARS = 20_000
# Tag and attribute names, quotes and punctuation occur on every page, so a literal
# made only of them would let its regex run everywhere.
_COMMON_MARKUP = re.compile(
    r"\b(?:a|body|class|content|div|href|html|http|https|id|iframe|img|input|link"
    r"|meta|name|rel|script|span|src|style|stylesheet|text|title|type|www)\b"
    r"|[^a-z0-9]"
)


@dataclass(frozen=True, slots=True)
class Technology:
    """One technology found on a page, with the strongest evidence for it."""

    name: str
    categories: tuple[str, ...]
    confidence: int
    version: str
    evidence: str


@dataclass(frozen=True, slots=True)
class _Pattern:
    tech: str
    kind: str
    regex: re.Pattern[str]
    confidence: int
    version: str
    key: str = ""


@dataclass
class _Guarded:
    """Patterns of one kind: those with literal guards, and those run on every page."""

    patterns: list[_Pattern]
    always: list[_Pattern]
    # Per guarded pattern, how many guard groups it has; per literal (by its index
    # in the automaton), the (pattern index, group index) pairs it stands for.
    groups: list[int]
    owners: list[list[tuple[int, int]]]
    automaton: ahocorasick_rs.BytesAhoCorasick | None


@dataclass
class _Fingerprints:
    categories: dict[str, tuple[str, ...]]
    implies: dict[str, list[tuple[str, int]]]
    requires: dict[str, list[str]]
    excludes: dict[str, list[str]]
    headers: dict[str, list[_Pattern]]
    cookies: list[tuple[re.Pattern[str], _Pattern]]
    meta: dict[str, list[_Pattern]]
    url: list[_Pattern]
    html: list[_Pattern]
    script: list[_Pattern]
    skipped: int
    url_guarded: _Guarded | None = None
    html_guarded: _Guarded | None = None
    script_guarded: _Guarded | None = None


def detect_technologies(page: Page) -> list[Technology]:
    """Technologies *page* shows in its headers, HTML, meta tags, cookies and scripts."""
    prints = fingerprints()
    hits: dict[str, tuple[int, str, str]] = {}

    def hit(pattern: _Pattern, subject: str, match: re.Match[str]) -> None:
        confidence, version, evidence = hits.get(pattern.tech, (0, "", ""))
        hits[pattern.tech] = (
            min(100, confidence + pattern.confidence),
            version or _version(pattern.version, match),
            evidence or f"{pattern.kind}: {_clip(subject, match)}",
        )

    for name, values in page.headers.items():
        for pattern in prints.headers.get(name.lower(), ()):
            for value in values:
                if match := pattern.regex.search(value):
                    hit(pattern, f"{name}: {value}", match)
                    break

    for cookie in _cookie_names(page.header("set-cookie")):
        for name_regex, pattern in prints.cookies:
            if name_regex.fullmatch(cookie) and (match := pattern.regex.search("")):
                hit(pattern, f"cookie {cookie}", match)

    for name, content in page.meta.items():
        for pattern in prints.meta.get(name, ()):
            if match := pattern.regex.search(content):
                hit(pattern, f'<meta name="{name}" content="{content}">', match)

    for pattern, match in _guarded(page.url, prints.url_guarded):
        hit(pattern, page.url, match)

    html = _head_and_tail(page.html)
    for pattern, match in _guarded(html, prints.html_guarded):
        hit(pattern, html, match)

    scripts = "\n".join(page.script_sources)
    for pattern, match in _guarded(scripts, prints.script_guarded):
        hit(pattern, scripts, match)

    return _resolve(hits, prints)


@functools.cache
def fingerprints() -> _Fingerprints:
    """The fingerprint set, compiled on first use and cached for the process."""
    categories = json.loads((FINGERPRINTS / "categories.json").read_text("utf-8"))
    technologies: dict[str, dict] = {}
    for path in sorted((FINGERPRINTS / "technologies").glob("*.json")):
        technologies.update(json.loads(path.read_text("utf-8")))
    return _compile(technologies, categories)


def _compile(
    technologies: dict[str, dict], categories: dict[str, dict]
) -> _Fingerprints:
    prints = _Fingerprints({}, {}, {}, {}, {}, [], {}, [], [], [], 0)
    for tech, spec in technologies.items():
        prints.categories[tech] = tuple(
            categories.get(str(c), {}).get("name", str(c)) for c in spec.get("cats", [])
        )
        prints.implies[tech] = [_name_and_confidence(i) for i in _list(spec, "implies")]
        prints.requires[tech] = _list(spec, "requires")
        prints.excludes[tech] = _list(spec, "excludes")

        for name, raw in _mapping(spec, "headers"):
            if pattern := _pattern(tech, "header", raw, prints, key=name):
                prints.headers.setdefault(name.lower(), []).append(pattern)
        for name, raw in _mapping(spec, "cookies"):
            if pattern := _pattern(tech, "cookie", raw, prints, key=name):
                wildcard = re.escape(name).replace(r"\*", ".*")
                prints.cookies.append((re.compile(wildcard, re.IGNORECASE), pattern))
        for name, raw in _mapping(spec, "meta"):
            for one in raw if isinstance(raw, list) else [raw]:
                if pattern := _pattern(tech, "meta", one, prints, key=name):
                    prints.meta.setdefault(name.lower(), []).append(pattern)
        for raw in _list(spec, "url"):
            if pattern := _pattern(tech, "url", raw, prints):
                prints.url.append(pattern)
        for raw in _list(spec, "html"):
            if pattern := _pattern(tech, "html", raw, prints):
                prints.html.append(pattern)
        for raw in _list(spec, "scriptSrc"):
            if pattern := _pattern(tech, "scriptSrc", raw, prints):
                prints.script.append(pattern)

    prints.url_guarded = _guard(prints.url)
    prints.html_guarded = _guard(prints.html)
    prints.script_guarded = _guard(prints.script)
    logger.debug(
        "Compiled fingerprints of %d technologies; %d patterns skipped as invalid",
        len(technologies),
        prints.skipped,
    )
    return prints


def _pattern(
    tech: str, kind: str, raw: str, prints: _Fingerprints, *, key: str = ""
) -> _Pattern | None:
    # "regex\;version:\1\;confidence:50"
    regex, *tags = str(raw).split("\\;")
    options = dict(tag.split(":", 1) for tag in tags if ":" in tag)
    try:
        compiled = re.compile(regex, re.IGNORECASE)
        confidence = int(options.get("confidence", 100))
    except (re.error, ValueError, OverflowError):
        prints.skipped += 1
        return None
    return _Pattern(tech, kind, compiled, confidence, options.get("version", ""), key)


def _guard(patterns: list[_Pattern]) -> _Guarded:
    """Split *patterns* into literal-guarded ones (with their automaton) and the rest."""
    result = _Guarded([], [], [], [], None)
    owners: dict[str, list[tuple[int, int]]] = {}
    for pattern in patterns:
        groups = _required_literal_groups(pattern.regex.pattern)
        if not groups:
            result.always.append(pattern)
            continue
        index = len(result.patterns)
        for group, literals in enumerate(groups):
            for literal in literals:
                owners.setdefault(literal, []).append((index, group))
        result.patterns.append(pattern)
        result.groups.append(len(groups))
    if owners:
        # A DFA over UTF-8 bytes: a few times faster than pyahocorasick's automaton on
        # a page, and the same literals are found (UTF-8 never matches mid-character).
        result.automaton = ahocorasick_rs.BytesAhoCorasick(
            [literal.encode("utf-8") for literal in owners],
            implementation=ahocorasick_rs.Implementation.DFA,
        )
        result.owners = list(owners.values())
    return result


def _required_literals(regex: str) -> list[str] | None:
    """Literals of which every match of *regex* contains at least one, or None.

    Alternations give one literal per branch; text inside optional groups and
    repeats that may occur zero times is never required, so it is not used.
    """
    groups = _required_literal_groups(regex)
    if not groups:
        return None
    return max(groups, key=lambda alts: min(_informative(a) for a in alts))


def _required_literal_groups(regex: str) -> list[list[str]]:
    """Every group of literals of which each match of *regex* contains one; a page
    lacking any group cannot match."""
    try:
        parsed = sre_parse.parse(regex, re.IGNORECASE)
    except re.error:
        return []
    return _guard_groups(parsed)


def _guards(sequence: Iterable[tuple[object, object]]) -> list[str] | None:
    groups = _guard_groups(sequence)
    if not groups:
        return None
    return max(groups, key=lambda alts: min(_informative(a) for a in alts))


def _guard_groups(sequence: Iterable[tuple[object, object]]) -> list[list[str]]:
    candidates: list[list[str]] = []
    run: list[str] = [""]
    for op, argument in [*sequence, (None, None)]:
        if op is sre_constants.LITERAL:
            run = [text + chr(argument).lower() for text in run]  # type: ignore[arg-type]
            continue
        # "uk-" guards nothing alone, but "uk-container" or "uk-section" does.
        short = run != [""] and not all(map(_selective, run))
        alternatives = _strings(op, argument) if short else None
        if alternatives and len(run) * len(alternatives) <= _MAX_ALTERNATIVES:
            run = [text + alternative for text in run for alternative in alternatives]
            continue
        if run != [""]:
            candidates.append(run)
            run = [""]
        if op is sre_constants.SUBPATTERN:
            inner = _guards(argument[-1])  # type: ignore[index]
        elif op is sre_constants.BRANCH:
            inner = _branch_guards(argument[1])  # type: ignore[index]
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            minimum, _maximum, body = argument  # type: ignore[misc]
            inner = _guards(body) if minimum >= 1 else None
        else:
            inner = None
        if inner:
            candidates.append(inner)
    return [alts for alts in candidates if all(map(_selective, alts))]


def _strings(op: object, argument: object) -> list[str] | None:
    """The few texts, lowercased, that one parsed item can match, or None: a set of
    single characters, a group or alternation of plain literals, an optional one."""
    if op is sre_constants.IN:
        if all(kind is sre_constants.LITERAL for kind, _ in argument):  # type: ignore[attr-defined]
            return sorted({chr(value).lower() for _, value in argument})  # type: ignore[attr-defined]
        return None
    if op is sre_constants.SUBPATTERN:
        return _sequence_strings(argument[-1])  # type: ignore[index]
    if op is sre_constants.BRANCH:
        found: list[str] = []
        for branch in argument[1]:  # type: ignore[index]
            texts = _sequence_strings(branch)
            if texts is None:
                return None
            found += texts
        return found
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        minimum, maximum, body = argument  # type: ignore[misc]
        texts = _sequence_strings(body) if (minimum, maximum) == (0, 1) else None
        return None if texts is None else ["", *texts]
    return None


def _sequence_strings(sequence: Iterable[tuple[object, object]]) -> list[str] | None:
    texts = [""]
    for op, argument in sequence:
        if op is sre_constants.LITERAL:
            texts = [text + chr(argument).lower() for text in texts]  # type: ignore[arg-type]
            continue
        alternatives = _strings(op, argument)
        if alternatives is None or len(texts) * len(alternatives) > _MAX_ALTERNATIVES:
            return None
        texts = [text + alternative for text in texts for alternative in alternatives]
    return texts


def _selective(literal: str) -> bool:
    """True when *literal* is rare enough on web pages to guard a regex: three
    informative characters, or two inside a longer run (' class="el-')."""
    informative = _informative(literal)
    return informative >= _MIN_LITERAL or (informative >= 2 and len(literal) >= 6)


def _branch_guards(branches: list) -> list[str] | None:
    alternatives: list[str] = []
    for branch in branches:
        guards = _guards(branch)
        if guards is None:
            return None
        alternatives.extend(guards)
    return alternatives


def _informative(literal: str) -> int:
    """Length of *literal* once markup every page is full of is taken out."""
    return len(_COMMON_MARKUP.sub("", literal))


def _guarded(
    subject: str, guarded: _Guarded | None
) -> Iterable[tuple[_Pattern, re.Match[str]]]:
    if guarded is None:
        return
    present: dict[int, set[int]] = {}
    if guarded.automaton is not None and subject:
        haystack = subject.lower().encode("utf-8", "surrogatepass")
        matches = guarded.automaton.find_matches_as_indexes(haystack, overlapping=True)
        for literal in {literal for literal, _start, _end in matches}:
            for index, group in guarded.owners[literal]:
                present.setdefault(index, set()).add(group)
    candidates = sorted(
        index
        for index, groups in present.items()
        if len(groups) == guarded.groups[index]
    )
    for pattern in [guarded.patterns[i] for i in candidates] + guarded.always:
        if match := pattern.regex.search(subject):
            yield pattern, match


def _resolve(
    hits: dict[str, tuple[int, str, str]], prints: _Fingerprints
) -> list[Technology]:
    """Apply implies, requires and excludes, then build the result."""
    found = dict(hits)
    queue = list(found)
    while queue:
        tech = queue.pop()
        for implied, confidence in prints.implies.get(tech, ()):
            if implied not in found and implied in prints.categories:
                found[implied] = (confidence, "", f"implied by {tech}")
                queue.append(implied)
    for tech in list(found):
        required = prints.requires.get(tech, ())
        if any(r not in found for r in required):
            del found[tech]
    for tech in list(found):
        for excluded in prints.excludes.get(tech, ()):
            found.pop(excluded, None)
    return [
        Technology(tech, prints.categories.get(tech, ()), confidence, version, evidence)
        for tech, (confidence, version, evidence) in sorted(found.items())
    ]


def _version(template: str, match: re.Match[str]) -> str:
    if not template:
        return ""

    def group(ref: re.Match[str]) -> str:
        index = int(ref.group(1))
        try:
            return match.group(index) or ""
        except IndexError:
            return ""

    version = re.sub(r"\\(\d)", group, template)
    # Wappalyzer's "\1?a:b" ternaries are not evaluated: keep the plain part only.
    return version.split("?", 1)[0].strip()


def _head_and_tail(html: str) -> str:
    if len(html) <= HTML_HEAD_CHARS + HTML_TAIL_CHARS:
        return html
    return f"{html[:HTML_HEAD_CHARS]}\n{html[-HTML_TAIL_CHARS:]}"


def _cookie_names(values: Iterable[str]) -> list[str]:
    names = []
    for value in values:
        name = value.split("=", 1)[0].strip()
        if name:
            names.append(name)
    return names


def _clip(subject: str, match: re.Match[str], width: int = 60) -> str:
    start = max(0, match.start() - width // 2)
    return " ".join(subject[start : match.end() + width // 2].split())[:160]


def _list(spec: dict, key: str) -> list[str]:
    value = spec.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _mapping(spec: dict, key: str) -> list[tuple[str, str | list[str]]]:
    value = spec.get(key)
    return list(value.items()) if isinstance(value, dict) else []


def _name_and_confidence(raw: str) -> tuple[str, int]:
    name, *tags = raw.split("\\;")
    options = dict(tag.split(":", 1) for tag in tags if ":" in tag)
    try:
        return name, int(options.get("confidence", 100))
    except ValueError:
        return name, 100
