"""The organisation's own social and profile links.

A link counts when it points at a profile on a known platform: a LinkedIn company (or
personal) page, an X/Twitter, Facebook, Instagram, TikTok, Bluesky or YouTube account, a
GitHub user or organisation, or a WhatsApp chat number. Share buttons (``sharer.php``,
``intent/tweet``, ``shareArticle``), links to posts and videos, the platforms' own home
pages and a platform's links to itself (on a page hosted by that platform) do not count.

Each accepted link gets one canonical URL so that ``http://twitter.com/Acme/`` and
``https://x.com/acme`` are the same profile: https, the platform's main host, no
trailing slash, lower case where the platform ignores case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from crawler.extract.page import Page
from crawler.extract.phones import whatsapp_number
from crawler.extract.urls import host_of


@dataclass(frozen=True, slots=True)
class FoundSocial:
    value: str  # canonical URL
    shown: str  # the href as written
    platform: str
    context: str  # link text
    source: str = "link"  # link | jsonld


# Written by hand: no maintained library knows which paths of each platform are
# profiles; these lists come from the platforms' own URL schemes.
_HOSTS = {
    "linkedin.com": "linkedin",
    "twitter.com": "x",
    "x.com": "x",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.me": "facebook",
    "instagram.com": "instagram",
    "github.com": "github",
    "youtube.com": "youtube",
    "tiktok.com": "tiktok",
    "bsky.app": "bluesky",
    "wa.me": "whatsapp",
    "api.whatsapp.com": "whatsapp",
    "wa.link": "whatsapp",
}
_RESERVED = {
    "x": {
        "intent", "share", "home", "hashtag", "search", "i", "login", "signup", "tos",
        "privacy", "explore", "settings", "messages", "notifications", "compose",
        "widgets", "about", "en", "download",
    },
    "facebook": {
        "sharer", "sharer.php", "share.php", "dialog", "plugins", "tr", "login",
        "login.php", "home.php", "policies", "policy.php", "help", "photo.php", "watch",
        "hashtag", "story.php", "permalink.php", "events", "privacy", "legal",
        "business", "ads", "marketplace", "gaming", "search", "l.php", "video.php",
        "reel", "photo", "photos", "media", "notes", "signup", "r.php",
    },
    "instagram": {
        "p", "reel", "reels", "explore", "stories", "accounts", "tv", "direct",
        "about", "legal", "developer", "web",
    },
    "github": {
        "features", "about", "pricing", "login", "join", "sponsors", "marketplace",
        "topics", "collections", "explore", "settings", "site", "security",
        "enterprise", "contact", "apps", "new", "notifications", "search", "trending",
        "readme", "customer-stories", "team", "home",
    },
    "linkedin": {
        "feed", "posts", "pulse", "sharearticle", "sharing", "shareArticle", "jobs",
        "login", "signup", "legal", "help", "learning", "checkpoint", "uas",
        "authwall", "redir", "cws", "search", "hashtag", "events", "psettings",
        "mynetwork", "messaging", "notifications", "premium", "talent", "sales",
        "directory", "accessibility", "static", "embed", "products", "news",
        "top-content", "pub",
    },
    "tiktok": set(),
    "youtube": set(),
    "bluesky": set(),
}  # fmt: skip
# Host words of the platforms above: a cheap test before parsing each href.
_SOCIAL_HINT = re.compile(
    r"linkedin|twitter|x\.com|facebook|fb\.|instagram|github|youtube|tiktok|bsky"
    r"|wa\.me|whatsapp|wa\.link",
    re.IGNORECASE,
)
_LINKEDIN_KINDS = {"company", "in", "school", "showcase"}
_HANDLE = re.compile(r"^@?[A-Za-z0-9._-]{1,100}$")


# schema.org types whose sameAs lists someone else's profiles, not the site owner's.
_NOT_OWNER = re.compile(
    r"person|article|posting|review|comment|video|image|audio|media|product|event"
    r"|recipe|course|offer|webpage|breadcrumb",
    re.IGNORECASE,
)


# Class and id words of blocks that present people rather than the organisation.
_PEOPLE = re.compile(
    r"team|member|staff|author|people|person|founder|testimonial|quote|review"
    r"|speaker|employee|profile-badge|byline|\bbio\b|trainer|coach",
    re.IGNORECASE,
)
_PEOPLE_DEPTH = 8
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HEADING_DEPTH = 3
_FOLLOW_SOMEONE = re.compile(r"\b(?i:follow|connect with)\s+([A-Z][a-z]+)\b")
_PERSONAL_PROFILE = re.compile(r"linkedin\.com/in/", re.IGNORECASE)
# Words of a profile link's text that do not name anyone.
_CTA = {
    "follow", "us", "on", "me", "find", "connect", "with", "visit", "our", "my",
    "page", "profile", "join", "like", "the", "at", "and", "view", "see", "watch",
    "subscribe", "to", "channel", "group", "linkedin", "twitter", "x", "facebook",
    "instagram", "github", "youtube", "tiktok", "bluesky", "whatsapp", "chat",
    "message", "company", "official", "account", "here", "click", "icon", "logo",
    "link", "opens", "in", "new", "tab", "window", "share", "go",
}  # fmt: skip
# "Jan Molak", "Mary-Jane O'Neil": two or three capitalised words, as authors sign.
_PERSON_NAME = re.compile(r"[A-Z][a-z'-]+(?: [A-Z][a-z'-]+){1,2}")
_TITLE_SEPARATOR = re.compile(r"\s+[-|–—•:·»]+\s+")
# Words that, right before a profile link, say whose it is: an author, a founder, the
# agency that built the site.
_CREDIT = re.compile(
    r"\b(?:by|founder|co-founder|ceo|director|author)\s*[:,\-–]?\s*$", re.IGNORECASE
)
_CREDIT_REACH = 30  # characters before the link
_OWNER = re.compile(r"organi[sz]ation|business|corporation|website", re.IGNORECASE)
_OWNER_KEYS = ("publisher", "provider", "brand", "parentOrganization")


def find_socials(page: Page) -> list[FoundSocial]:
    """The profile links on *page*, one per canonical URL, in page order.

    Links come from anchors and from the schema.org ``sameAs`` of organisation
    objects, where a site declares its own profiles. Anchors inside a block about
    people (a team card, a testimonial, an author box) are those people's profiles,
    not the organisation's.
    """
    own = platform_of(host_of(page.url))
    people: set[str] = set()
    anchors = _anchors(page, people)
    author = page.meta.get("author", "").strip()
    owner = owner_words(page) if people or author else set()
    people |= _author_names(author, owner)
    found: dict[str, FoundSocial] = {}
    for url, text, source in [*anchors, *_same_as(page)]:
        social = canonical_social(url)
        if social is None or social[1] == own:
            continue
        value, platform = social
        if source == "link" and _someones_handle(value, people, owner):
            continue
        if value not in found:
            found[value] = FoundSocial(value, url, platform, text, source)
    return list(found.values())


def _anchors(page: Page, people: set[str]) -> list[tuple[str, str, str]]:
    """Profile links outside blocks about people; the names of the people those
    blocks and links present are added to *people*."""
    if page.tree is None:
        return []
    site = _site_name(page.url)
    found = []
    for anchor in page.tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not _SOCIAL_HINT.search(href) or platform_of(host_of(href)) is None:
            continue
        text = " ".join(anchor.text_content().split())
        follow = _about_people(anchor, site)
        if follow:
            if isinstance(follow, str):
                people.add(follow.lower())
            continue
        if _PERSONAL_PROFILE.search(href) and _names_someone_else(text, site):
            people.update(_name_words(text))
            continue
        if _credited(anchor):
            continue
        found.append((href, text, "link"))
    return found


def owner_words(page: Page) -> set[str]:
    """Words of the site's own name: its host (whole and cut at hyphens),
    ``og:site_name`` and the first and last parts of the title ("Post - Acme Ltd")."""
    host = host_of(page.url).removeprefix("www.").split(".", 1)[0]
    names = [page.meta.get("og:site_name", ""), host]
    parts = _TITLE_SEPARATOR.split(page.title)
    names += [parts[0], parts[-1]] if parts else []
    words = {w.lower() for name in names for w in re.findall(r"[^\W\d_]{3,}", name)}
    site = _site_name(page.url)
    return (words - _CTA) | ({site} if site else set())


def _author_names(author: str, owner: set[str]) -> set[str]:
    """The words of a person's name given as the page's author, unless it is the
    site's own name (a sole trader's site)."""
    if not _PERSON_NAME.fullmatch(author):
        return set()
    words = _name_words(author)
    return set() if words & owner else words


def _name_words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)} - _CTA


def _someones_handle(value: str, people: set[str], owner: set[str]) -> bool:
    """True when the profile's handle holds the name of a person the page presents
    (its author, someone to "Follow", a profile link's named owner) and no word of
    the site's own name: that person's account, not the organisation's."""
    if not people:
        return False
    handle = re.sub(r"[^a-z]", "", value.rstrip("/").rsplit("/", 1)[-1].lower())
    if any(word in handle for word in owner):
        return False
    return any(name in handle for name in people)


def _site_name(url: str) -> str:
    """The site's name without punctuation: ``www.acme-widgets.co.uk`` → acmewidgets."""
    host = host_of(url).removeprefix("www.")
    return re.sub(r"[^a-z0-9]", "", host.split(".", 1)[0])


def _in_site(word: str, site: str) -> bool:
    return len(word) >= 3 and word.lower() in site


def _names_someone_else(text: str, site: str) -> bool:
    """True when a personal profile's link text names someone other than the site
    ("Emily Bender on LinkedIn", cited in an article): capitalised words left after the platform and call-to-action words,
    none of which is part of the site's name."""
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", text) if w.lower() not in _CTA]
    if not words or not all(w[:1].isupper() for w in words):
        return False
    return not any(_in_site(w, site) for w in words)


def _credited(anchor: object) -> bool:
    """True when the text just before the link credits someone: a byline ("by"),
    a role ("founder", "CEO") or the site's maker ("designed by")."""
    previous = anchor.getprevious()
    if previous is not None:
        before = previous.tail or ""
    else:
        parent = anchor.getparent()
        before = (parent.text if parent is not None else "") or ""
    return bool(_CREDIT.search(before[-_CREDIT_REACH:]))


def _about_people(element: object, site: str) -> bool | str:
    """True when an ancestor of *element* is a block about people: by its tag, by
    the words in its class and id, or by a heading such as "Follow Jan!" that
    invites readers to follow someone the site is not named after (then the name,
    "Jan", is returned)."""
    parent = element.getparent()
    for depth in range(_PEOPLE_DEPTH):
        if parent is None:
            return False
        if parent.tag in ("blockquote", "footer", "header", "nav"):
            return parent.tag == "blockquote"
        label = f"{parent.get('class') or ''} {parent.get('id') or ''}"
        if _PEOPLE.search(label):
            return True
        if depth < _HEADING_DEPTH:
            for heading in parent.iterchildren(*_HEADINGS):
                match = _FOLLOW_SOMEONE.search(heading.text_content())
                name = match.group(1) if match else ""
                if name and name.lower() not in _CTA and not _in_site(name, site):
                    return name
        parent = parent.getparent()
    return False


def _same_as(page: Page) -> list[tuple[str, str, str]]:
    found = []
    for item in page.jsonld:
        for obj in _owner_objects(item):
            same = obj.get("sameAs")
            for url in same if isinstance(same, list) else [same]:
                if isinstance(url, str):
                    found.append((url, "sameAs", "jsonld"))
    return found


def _owner_objects(data: object) -> list[dict]:
    """The object itself when it describes an organisation or a site (not a person,
    a work or a product), and the organisations it names as publisher or provider."""
    if isinstance(data, list):
        return [obj for item in data for obj in _owner_objects(item)]
    if not isinstance(data, dict):
        return []
    kind = data.get("@type")
    kinds = " ".join(
        k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)
    )
    owner = not kinds or _OWNER.search(kinds) or not _NOT_OWNER.search(kinds)
    objects = [data] if owner else []
    for key in _OWNER_KEYS:
        objects += _owner_objects(data.get(key))
    return objects


def platform_of(host: str) -> str | None:
    """The platform whose site *host* belongs to (``uk.linkedin.com`` → linkedin)."""
    host = host.lower().rstrip(".")
    for known, platform in _HOSTS.items():
        if host == known or host.endswith("." + known):
            return platform
    return None


def canonical_social(url: str) -> tuple[str, str] | None:
    """(canonical URL, platform) when *url* is a profile link, else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", ""):
        return None
    platform = platform_of(parts.hostname or "")
    if platform is None:
        return None
    segments = [unquote(s) for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    canonical = _CANONICAL[platform](segments, query, parts.hostname or "")
    return (canonical, platform) if canonical else None


def _simple_handle(segments: list[str], platform: str) -> str | None:
    if len(segments) < 1 or segments[0].lower() in _RESERVED[platform]:
        return None
    handle = segments[0]
    return handle.lower() if _HANDLE.match(handle) else None


def _x(segments: list[str], query: dict, host: str) -> str | None:
    if len(segments) > 1 and segments[1].lower() not in ("with_replies", "media"):
        return None  # a post (/status/…), a list or a follower page
    handle = _simple_handle(segments, "x")
    return f"https://x.com/{handle.lstrip('@')}" if handle else None


def _facebook(segments: list[str], query: dict, host: str) -> str | None:
    if not segments:
        return None
    head = segments[0].lower()
    if head == "profile.php":
        ident = (query.get("id") or [""])[0]
        if not ident.isdigit():
            return None
        return f"https://www.facebook.com/profile.php?id={ident}"
    if head in ("pages", "groups") and len(segments) >= 2:
        return "https://www.facebook.com/" + "/".join(s.lower() for s in segments)
    if head == "share" and len(segments) == 2 and "u" not in query:
        # facebook.com/share/<token>/ is a short link to a page, not a share dialog.
        return f"https://www.facebook.com/share/{segments[1]}"
    if len(segments) > 1 and segments[1].lower() not in ("about", "reviews"):
        return None  # posts, photos, videos
    handle = _simple_handle(segments, "facebook")
    return f"https://www.facebook.com/{handle}" if handle else None


def _instagram(segments: list[str], query: dict, host: str) -> str | None:
    if len(segments) > 1:
        return None
    handle = _simple_handle(segments, "instagram")
    return f"https://www.instagram.com/{handle}" if handle else None


def _github(segments: list[str], query: dict, host: str) -> str | None:
    if host.lower() not in ("github.com", "www.github.com"):
        return None  # gist.github.com, docs.github.com, …
    if segments[:1] == ["orgs"] and len(segments) >= 2:
        segments = segments[1:2]
    if len(segments) != 1:
        return None  # a repository, issue or file, not the account
    handle = _simple_handle(segments, "github")
    return f"https://github.com/{handle}" if handle else None


def _linkedin(segments: list[str], query: dict, host: str) -> str | None:
    if not segments:
        return None
    head = segments[0].lower()
    if head in _LINKEDIN_KINDS:
        if len(segments) < 2:
            return None
        if len(segments) > 2 and segments[2].lower() not in ("about", "life"):
            return None  # /company/x/posts, /company/x/jobs
        slug = segments[1].lower()
        if not _HANDLE.match(slug):
            return None
        return f"https://www.linkedin.com/{head}/{slug}"
    if len(segments) == 1 and head not in _RESERVED["linkedin"]:
        return f"https://www.linkedin.com/{head}" if _HANDLE.match(head) else None
    return None


def _youtube(segments: list[str], query: dict, host: str) -> str | None:
    if not segments:
        return None
    head = segments[0]
    if head.startswith("@") and len(segments) <= 2:
        return f"https://www.youtube.com/{head.lower()}"
    if head.lower() in ("channel", "c", "user") and len(segments) >= 2:
        # Channel ids are case-sensitive; custom names and user names are not.
        name = segments[1] if head.lower() == "channel" else segments[1].lower()
        return f"https://www.youtube.com/{head.lower()}/{name}"
    return None


def _tiktok(segments: list[str], query: dict, host: str) -> str | None:
    if len(segments) == 1 and segments[0].startswith("@"):
        return f"https://www.tiktok.com/{segments[0].lower()}"
    return None


def _bluesky(segments: list[str], query: dict, host: str) -> str | None:
    if len(segments) == 2 and segments[0] == "profile":
        return f"https://bsky.app/profile/{segments[1].lower()}"
    return None


def _whatsapp(segments: list[str], query: dict, host: str) -> str | None:
    if host == "wa.link":
        return f"https://wa.link/{segments[0]}" if len(segments) == 1 else None
    url = f"https://{host}/{'/'.join(segments)}"
    if query.get("phone"):
        url += f"?phone={query['phone'][0]}"
    number = whatsapp_number(url)
    return f"https://wa.me/{number.lstrip('+')}" if number else None


_CANONICAL = {
    "x": _x,
    "facebook": _facebook,
    "instagram": _instagram,
    "github": _github,
    "linkedin": _linkedin,
    "youtube": _youtube,
    "tiktok": _tiktok,
    "bluesky": _bluesky,
    "whatsapp": _whatsapp,
}
