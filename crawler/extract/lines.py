"""Finding the lines of a page's text that can hold a contact, without a per-line scan.

One regular-expression pass over the whole text is far cheaper than a test on each of
its hundreds of lines; the extractors then run their exact rules on the few lines this
returns.
"""

from __future__ import annotations

import re


def lines_with(text: str, pattern: re.Pattern[str]) -> list[str]:
    """The distinct lines of *text* holding a match of *pattern*, in order."""
    found: list[str] = []
    end = -1
    for match in pattern.finditer(text):
        if match.start() <= end:
            continue  # still on the line already taken
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.start())
        if end < 0:
            end = len(text)
        found.append(text[start:end])
    return found
