"""Contact extraction rules, one small hand-written page per rule."""

from __future__ import annotations

import pytest

from crawler.extract.contacts import (
    Contact,
    collect_contacts,
    extract_contacts,
    is_role_address,
)
from crawler.extract.emails import decode_cfemail
from crawler.extract.page import Page
from crawler.extract.postcodes import normalise_postcode
from crawler.extract.socials import canonical_social

URL = "https://www.acme-widgets.co.uk/contact"


def values(html: str, kind: str, url: str = URL) -> list[str]:
    page = Page(url=url, html=f"<html><body>{html}</body></html>")
    return [c.value for c in extract_contacts(page) if c.kind == kind]


def contact(html: str, kind: str) -> Contact:
    page = Page(url=URL, html=f"<html><body>{html}</body></html>")
    (found,) = [c for c in extract_contacts(page) if c.kind == kind]
    return found


def _cfemail(address: str, key: int = 0x42) -> str:
    return bytes([key, *(b ^ key for b in address.encode())]).hex()


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            '<a href="mailto:Sales@Acme-Widgets.co.uk">Email us</a>',
            ["sales@acme-widgets.co.uk"],
            id="mailto-lowercased",
        ),
        pytest.param(
            '<a href="mailto:info@acme.co.uk?subject=Hi&body=x">Mail</a>',
            ["info@acme.co.uk"],
            id="mailto-query-dropped",
        ),
        pytest.param(
            "<p>Write to hello@acme.co.uk today</p>",
            ["hello@acme.co.uk"],
            id="visible-text",
        ),
        pytest.param(
            "<p>INFO@ACME.CO.UK</p>", ["info@acme.co.uk"], id="upper-case-text"
        ),
        pytest.param(
            "<p>jo [at] acme [dot] co [dot] uk</p>",
            ["jo@acme.co.uk"],
            id="bracket-at-dot",
        ),
        pytest.param("<p>jo(at)acme.com</p>", ["jo@acme.com"], id="paren-at"),
        pytest.param(
            "<p>jo [at] acme.co.uk</p>", ["jo@acme.co.uk"], id="bracket-at-plain-dot"
        ),
        pytest.param(
            f'<span class="__cf_email__" data-cfemail="{_cfemail("team@acme.io")}">'
            "[email&#160;protected]</span>",
            ["team@acme.io"],
            id="cloudflare-span",
        ),
        pytest.param(
            f'<a href="/cdn-cgi/l/email-protection#{_cfemail("ops@acme.io")}">x</a>',
            ["ops@acme.io"],
            id="cloudflare-link",
        ),
        pytest.param(
            '<script type="application/ld+json">'
            '{"@type": "Organization", "email": "mailto:office@acme.org"}</script>',
            ["office@acme.org"],
            id="jsonld",
        ),
        pytest.param(
            "<p>Email: info@acme.co.ukPhone: 0113 496 0000</p>",
            ["info@acme.co.uk"],
            id="glued-word-after-tld",
        ),
        pytest.param(
            "<a href='mailto:jo@acme.co.uk\\'>jo</a>",
            ["jo@acme.co.uk"],
            id="stray-backslash-in-href",
        ),
        pytest.param(
            '<a href="mailto:&#106;&#x6f;@acme.co.uk">&#106;&#x6f;@acme.co.uk</a>',
            ["jo@acme.co.uk"],
            id="html-entities",
        ),
    ],
)
def test_email_found(html: str, expected: list[str]) -> None:
    """Each way of publishing an address yields the address, lower-cased."""
    assert values(html, "email") == expected


@pytest.mark.parametrize(
    "html",
    [
        pytest.param('<input placeholder="your@email.com">', id="form-hint-attr"),
        pytest.param("<p>e.g. you@example.com</p>", id="example-domain"),
        pytest.param("<p>john@yourbusiness.co.uk</p>", id="your-domain"),
        pytest.param("<p>jane@example.org</p>", id="example-org"),
        pytest.param("<p>john@hotel-example.com</p>", id="example-in-name"),
        pytest.param('<img src="logo@2x.png"><p>icon@2x.png</p>', id="image-name"),
        pytest.param("<p>lodash@4.17.21</p>", id="version-string"),
        pytest.param(
            "<p>abcdef0123456789abcdef0123456789@o123.ingest.sentry.io</p>",
            id="sentry-dsn",
        ),
        pytest.param("<p>x@sentry-next.wixpress.com</p>", id="wix-tracking"),
        pytest.param("<p>you@domain.co.uk</p>", id="domain-placeholder"),
        pytest.param("<!-- info@acme.co.uk -->", id="html-comment"),
    ],
)
def test_email_rejected(html: str) -> None:
    """Placeholders, file names, versions and tracking ids are not addresses."""
    assert values(html, "email") == []


def test_cfemail_decodes() -> None:
    """Cloudflare's XOR encoding round-trips; junk decodes to nothing."""
    assert decode_cfemail(_cfemail("a@b.co")) == "a@b.co"
    assert decode_cfemail("zz") is None


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param('<a href="tel:+441134960123">Call</a>', [], id="drama-range"),
        pytest.param(
            '<a href="tel:07795402275">Call Gary</a>',
            ["+447795402275"],
            id="tel-href-only",
        ),
        pytest.param(
            "<p>Phone: 0113 243 8610</p>", ["+441132438610"], id="text-national"
        ),
        pytest.param(
            "<p>Tel (+256) 742193477</p>", ["+256742193477"], id="text-international"
        ),
        pytest.param(
            '<a href="tel:+923166991337">(+92) 3222138989</a>',
            ["+923222138989"],
            id="printed-number-beats-href",
        ),
        pytest.param(
            '<a href="https://wa.me/447568296136?text=hi">WhatsApp</a>',
            [],
            id="whatsapp-link-alone",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "LocalBusiness",'
            ' "telephone": "086 3722601", "address": {"@type": "PostalAddress",'
            ' "addressCountry": "IE"}}</script>',
            ["+353863722601"],
            id="jsonld-with-country",
        ),
        pytest.param("<p>Call +44 1234 567890</p>", [], id="placeholder-run"),
        pytest.param("<p>+1 (555) 123-4567</p>", [], id="fake-us"),
        pytest.param("<p>Company No. 16594865</p>", [], id="company-number"),
        pytest.param("<p>Posted 12/03/2024 at 10:30</p>", [], id="date"),
        pytest.param("<p>Only £1,299.00 + VAT</p>", [], id="price"),
    ],
)
def test_phones(html: str, expected: list[str]) -> None:
    """Numbers come out in E.164; dates, prices, ids and placeholders do not."""
    assert values(html, "phone") == expected


def test_phone_keeps_shown_form() -> None:
    """The printed grouping is kept next to the E.164 value."""
    found = contact("<p>Call 0750-8411-889</p>", "phone")
    assert (found.value, found.shown) == ("+447508411889", "0750-8411-889")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("ls14ap", "LS1 4AP", id="no-space"),
        pytest.param("EC2A 4NE", "EC2A 4NE", id="inner-letter"),
        pytest.param("SW1A 1AA", "SW1A 1AA", id="sw1a"),
        pytest.param("QQ1 1AA", None, id="unknown-area"),
        pytest.param("LS1 4CA", None, id="invalid-inward-letter"),
    ],
)
def test_normalise_postcode(raw: str, expected: str | None) -> None:
    """Postcodes are validated against the real areas and the inward-code letters."""
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param("<p>1 Park Row, Leeds LS1 5HN</p>", ["LS1 5HN"], id="text"),
        pytest.param("<label>Postcode (e.g. CT13 9AA)</label>", [], id="form-example"),
        pytest.param("<p>Part no. XY12 3AB</p>", [], id="made-up-area"),
    ],
)
def test_postcodes(html: str, expected: list[str]) -> None:
    """Postcodes are found in text unless given as an example."""
    assert values(html, "postcode") == expected


def test_address_from_jsonld() -> None:
    """A schema.org PostalAddress becomes one address line and a postcode."""
    html = (
        '<script type="application/ld+json">{"@type": "Organization", "address":'
        ' {"@type": "PostalAddress", "streetAddress": "1 Park Row",'
        ' "addressLocality": "Leeds", "postalCode": "LS1 5HN"}}</script>'
    )
    assert values(html, "address") == ["1 Park Row, Leeds, LS1 5HN"]
    assert values(html, "postcode") == ["LS1 5HN"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "https://uk.linkedin.com/company/Acme-Ltd/?trk=x",
            "https://www.linkedin.com/company/acme-ltd",
            id="linkedin-company",
        ),
        pytest.param(
            "http://twitter.com/AcmeLtd", "https://x.com/acmeltd", id="twitter"
        ),
        pytest.param("https://x.com/acmeltd/", "https://x.com/acmeltd", id="x"),
        pytest.param(
            "https://www.facebook.com/profile.php?id=6159",
            "https://www.facebook.com/profile.php?id=6159",
            id="facebook-profile-id",
        ),
        pytest.param(
            "https://www.facebook.com/share/1ArBJ9NBdK/",
            "https://www.facebook.com/share/1ArBJ9NBdK",
            id="facebook-short-link",
        ),
        pytest.param(
            "https://instagram.com/acme/",
            "https://www.instagram.com/acme",
            id="instagram",
        ),
        pytest.param("https://github.com/Acme", "https://github.com/acme", id="github"),
        pytest.param(
            "https://www.youtube.com/channel/UCNgNqHYmtsuhSeWXDwJT8Mg",
            "https://www.youtube.com/channel/UCNgNqHYmtsuhSeWXDwJT8Mg",
            id="youtube-channel",
        ),
        pytest.param(
            "https://www.youtube.com/@Acme",
            "https://www.youtube.com/@acme",
            id="youtube-handle",
        ),
        pytest.param(
            "https://www.tiktok.com/@acme.uk",
            "https://www.tiktok.com/@acme.uk",
            id="tiktok",
        ),
        pytest.param(
            "https://bsky.app/profile/acme.bsky.social",
            "https://bsky.app/profile/acme.bsky.social",
            id="bluesky",
        ),
        pytest.param(
            "https://api.whatsapp.com/send?phone=447568296136",
            "https://wa.me/447568296136",
            id="whatsapp-api",
        ),
        pytest.param(
            "https://www.facebook.com/sharer/sharer.php?u=x", None, id="fb-sharer"
        ),
        pytest.param(
            "https://www.facebook.com/sharer.php?u=x", None, id="fb-sharer-php"
        ),
        pytest.param(
            "https://twitter.com/intent/tweet?text=x", None, id="tweet-intent"
        ),
        pytest.param("https://twitter.com/share?url=x", None, id="twitter-share"),
        pytest.param(
            "https://www.linkedin.com/shareArticle?mini=true", None, id="li-share"
        ),
        pytest.param(
            "https://www.linkedin.com/sharing/share-offsite/?url=x",
            None,
            id="li-share2",
        ),
        pytest.param("https://twitter.com/acme/status/123", None, id="tweet"),
        pytest.param("https://www.instagram.com/p/Cx1/", None, id="instagram-post"),
        pytest.param("https://www.facebook.com/", None, id="platform-home"),
        pytest.param("https://github.com/acme/website", None, id="github-repo"),
        pytest.param("https://www.youtube.com/watch?v=abc", None, id="youtube-video"),
        pytest.param("https://www.linkedin.com/posts/acme_x", None, id="li-post"),
    ],
)
def test_canonical_social(url: str, expected: str | None) -> None:
    """Profiles get one canonical URL; share buttons, posts and home pages none."""
    found = canonical_social(url)
    assert (found[0] if found else None) == expected


def test_platform_links_on_its_own_page_are_not_profiles() -> None:
    """On a LinkedIn page, links to other LinkedIn pages are navigation."""
    html = '<a href="https://www.linkedin.com/in/someone">LinkedIn</a>'
    assert values(html, "social", url="https://www.linkedin.com/company/x") == []
    assert values(html, "social") == ["https://www.linkedin.com/in/someone"]


def test_same_as_of_the_organisation() -> None:
    """schema.org sameAs of the organisation counts; an author's does not."""
    html = (
        '<script type="application/ld+json">[{"@type": "Organization", "sameAs":'
        ' ["https://twitter.com/acme"]}, {"@type": "Person", "sameAs":'
        ' ["https://twitter.com/writer"]}]</script>'
    )
    assert values(html, "social") == ["https://x.com/acme"]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param("<p>Company No. 16594865</p>", ["16594865"], id="company-no"),
        pytest.param("<p>CIC No: 16253848</p>", ["16253848"], id="cic"),
        pytest.param(
            "<p>Registered in Scotland, company number SC811790</p>",
            ["SC811790"],
            id="scottish",
        ),
        pytest.param(
            "<p>Registered in England &amp; W\U000e0061ales #12358813</p>",
            ["12358813"],
            id="invisible-tag-characters",
        ),
        pytest.param(
            "<p>Registered charity number 1111702</p>", [], id="charity-number"
        ),
        pytest.param("<p>VAT Registration No: 123456789</p>", [], id="vat"),
        pytest.param("<p>ICO Registered Ref: ZB973909</p>", [], id="ico"),
    ],
)
def test_company_numbers(html: str, expected: list[str]) -> None:
    """Company numbers come from disclosure wording; other registers' do not."""
    assert values(html, "company_number") == expected


@pytest.mark.parametrize(
    ("html", "personal"),
    [
        pytest.param('<a href="mailto:info@acme.co.uk">x</a>', False, id="info"),
        pytest.param('<a href="mailto:sales.uk@acme.co.uk">x</a>', False, id="sales"),
        pytest.param(
            '<a href="mailto:jan.molak@acme.co.uk">x</a>', True, id="first-last"
        ),
        pytest.param('<a href="mailto:gary@acme.co.uk">x</a>', True, id="first-name"),
    ],
)
def test_email_role_or_personal(html: str, personal: bool) -> None:
    """Role mailboxes are not personal data; a named person's address is."""
    assert contact(html, "email").is_personal is personal


@pytest.mark.parametrize(
    ("address", "site", "role"),
    [
        pytest.param("bloom.hservices@gmail.com", "bloomgardens.co.uk", True, id="svc"),
        pytest.param(
            "acmewidgets.uk@gmail.com", "www.acme-widgets.co.uk", True, id="brand"
        ),
        pytest.param("news@rebelunit.co.uk", "makers.co.uk", True, id="role-word"),
        pytest.param(
            "rebel@rebelunit.co.uk", "makers.co.uk", True, id="own-domain-name"
        ),
        pytest.param("mulcairltd@gmail.com", "x.github.io", True, id="ltd"),
        pytest.param("bookingsteam@acme.com", "acme.com", True, id="run-together"),
        pytest.param("louise.woods@yahoo.co.uk", "theloft.co.uk", False, id="person"),
        pytest.param("gs@eorc.uk", "eorc.uk", False, id="initials"),
        pytest.param("jan@gmail.com", "gmail.com", False, id="free-mail-name"),
    ],
)
def test_role_or_brand_address(address: str, site: str, role: bool) -> None:
    """Function words and the organisation's own name make a mailbox a role's."""
    assert is_role_address(address, site) is role


@pytest.mark.parametrize(
    ("html", "personal"),
    [
        pytest.param('<a href="tel:07795402275">Call Gary</a>', True, id="named"),
        pytest.param("<p>Office: 0113 243 8610</p>", False, id="switchboard"),
    ],
)
def test_phone_role_or_personal(html: str, personal: bool) -> None:
    """A number labelled with a person's name is personal; an office line is not."""
    assert contact(html, "phone").is_personal is personal


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            '<footer><ul class="social"><li><a href="https://x.com/acmewidgets">X</a>'
            "</li></ul></footer>",
            ["https://x.com/acmewidgets"],
            id="footer-social-list",
        ),
        pytest.param(
            '<div class="team-card"><h3>Ann Lee</h3><div class="links"><a'
            ' href="https://www.linkedin.com/in/annlee">in</a></div></div>',
            [],
            id="team-card",
        ),
        pytest.param(
            '<blockquote>Great work! <a href="https://www.linkedin.com/in/bob">Bob'
            "</a></blockquote>",
            [],
            id="testimonial-quote",
        ),
        pytest.param(
            '<p>Read <a href="https://www.linkedin.com/in/ebell">Emma Bell on'
            " LinkedIn</a> about this.</p>",
            [],
            id="person-cited-in-prose",
        ),
        pytest.param(
            '<p>Or reach us on <a href="https://www.linkedin.com/in/acme-widgets-1">'
            "LinkedIn</a>.</p>",
            ["https://www.linkedin.com/in/acme-widgets-1"],
            id="own-profile-in-prose",
        ),
        pytest.param(
            '<section class="aside"><h1>Follow Jan!</h1><ul><li><a'
            ' href="//github.com/janm">GitHub</a></li></ul></section>',
            [],
            id="follow-someone-heading",
        ),
        pytest.param(
            '<section><h2>Follow Acme</h2><a href="https://github.com/acme">GitHub</a>'
            "</section>",
            ["https://github.com/acme"],
            id="follow-the-site-heading",
        ),
        pytest.param(
            '<p class="meta">Posted by <a href="https://x.com/jkowal">@jkowal</a></p>'
            '<p>Follow us: <a href="https://x.com/acmewidgets">X</a></p>',
            ["https://x.com/acmewidgets"],
            id="byline",
        ),
        pytest.param(
            '<div>Website designed by <a href="https://www.instagram.com/pixelco">'
            "Pixel Co</a></div>",
            [],
            id="site-maker-credit",
        ),
        pytest.param(
            '<p>Our founder: <a href="https://x.com/annlee">Ann</a></p>',
            [],
            id="founder",
        ),
    ],
)
def test_whose_profile(html: str, expected: list[str]) -> None:
    """Profiles in people blocks or cited for someone else are not the site's."""
    assert values(html, "social") == expected


def _headed(head: str, body: str) -> list[str]:
    page = Page(url=URL, html=f"<html><head>{head}</head><body>{body}</body></html>")
    return [c.value for c in extract_contacts(page) if c.kind == "social"]


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        pytest.param(
            '<title>A post - Acme Widgets</title><meta name="author" content="Jan Kowal">',
            '<aside><a href="https://github.com/jan-kowal" title="@jan-kowal"></a>'
            '<a href="https://x.com/acmewidgets">X</a></aside>',
            ["https://x.com/acmewidgets"],
            id="author-handle",
        ),
        pytest.param(
            "<title>Contact</title>",
            '<p>I am <a href="https://www.linkedin.com/in/jkowal">Jan Kowal</a>. Please'
            ' <a href="https://www.linkedin.com/in/jkowal-1">connect on LinkedIn</a>'
            ' or <a href="https://twitter.com/kowaljan">follow me</a>.</p>',
            [],
            id="named-profile-owner-elsewhere-on-the-page",
        ),
        pytest.param(
            '<meta property="og:site_name" content="Ann Lee - Lee Consulting">'
            '<meta name="author" content="Ann Lee">',
            '<p>Find me on <a href="https://www.linkedin.com/in/annlee">LinkedIn</a></p>',
            ["https://www.linkedin.com/in/annlee"],
            id="sole-trader-named-after-herself",
        ),
        pytest.param(
            '<meta name="author" content="Jan Kowal">',
            '<footer><a href="https://github.com/acmewidgets-jan">GitHub</a></footer>',
            ["https://github.com/acmewidgets-jan"],
            id="handle-holding-the-site-name",
        ),
    ],
)
def test_profiles_of_people_the_page_names(
    head: str, body: str, expected: list[str]
) -> None:
    """A handle holding the name of the page's author or of a person whose profile
    the page links by name is that person's, unless it also holds the site's name."""
    assert _headed(head, body) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            "<p>To replan, call the NRE contact centre service on 03457 48 49 50.</p>",
            [],
            id="acronym-of-another-body",
        ),
        pytest.param(
            "<p>For timetables ring National Rail Enquiries on 03457 48 49 50.</p>",
            [],
            id="named-body",
        ),
        pytest.param(
            "<p>Call us now on 0113 243 8610.</p>",
            ["+441132438610"],
            id="call-us",
        ),
        pytest.param(
            "<p>Call Acme Widgets on 0113 243 8610.</p>",
            ["+441132438610"],
            id="the-site-by-name",
        ),
        pytest.param(
            "<p>Call AW Sales today on 0113 243 8610.</p>",
            ["+441132438610"],
            id="the-site-by-initials",
        ),
        pytest.param(
            "<p>Call Gary on 07795 402275.</p>", ["+447795402275"], id="a-first-name"
        ),
        pytest.param(
            "<p>For bookings call John Smith on 07795 402275.</p>",
            ["+447795402275"],
            id="a-person-at-the-firm",
        ),
        pytest.param(
            "<p>Call Our Bookings &amp; Enquiries Line on 0113 243 8610.</p>",
            ["+441132438610"],
            id="our-line",
        ),
        pytest.param(
            "<p>CALL FOR A FREE QUOTE ON 0113 243 8610</p>",
            ["+441132438610"],
            id="shouted-call-to-action",
        ),
        pytest.param(
            "<p>To report a pothole call Leeds City Council on 0113 222 4407.</p>",
            [],
            id="council",
        ),
    ],
)
def test_numbers_of_other_bodies_left_out(html: str, expected: list[str]) -> None:
    """A sentence telling readers to call another named body quotes its number."""
    assert values(html, "phone") == expected


@pytest.mark.parametrize(
    ("html", "kind", "expected"),
    [
        pytest.param(
            "<p>The ICO helpline is 0303 123 1113.</p>", "phone", [], id="ico-helpline"
        ),
        pytest.param(
            "<p>Information Commissioner's Office</p><p>Wycliffe House</p>"
            "<p>Wilmslow</p><p>SK9 5AF</p>",
            "postcode",
            [],
            id="ico-address-block",
        ),
        pytest.param(
            "<p>Complain to the Information Commissioner or email"
            " casework@regulator.org.uk</p>",
            "email",
            [],
            id="regulator-email",
        ),
        pytest.param(
            "<p>ICO Registered · Ref: ZB123456</p><p>1 Park Row, Leeds LS1 5HN</p>",
            "postcode",
            ["LS1 5HN"],
            id="own-ico-registration-is-not-a-regulator-quote",
        ),
    ],
)
def test_regulator_contacts_left_out(html: str, kind: str, expected: list) -> None:
    """A privacy notice's route to the regulator is not the organisation's contact."""
    assert values(html, kind) == expected


def test_site_contacts_drop_listing_page_details() -> None:
    """A page listing many places keeps only details the rest of the site confirms."""
    home = Page(
        url="https://acme.co.uk/",
        html="<p>Call 0113 243 8610 · hello@acme.co.uk · Leeds LS1 5HN</p>",
    )
    venues = Page(
        url="https://acme.co.uk/venues",
        html="<ul><li>Hall, York YO1 7HH, 01904 613161, info@hall.org</li>"
        "<li>Club, Hull HU1 1AA</li><li>Pub, Leeds LS2 7EY</li>"
        "<li>Also: LS1 5HN, events@acme.co.uk</li></ul>",
    )
    found = {(c.kind, c.value) for c in collect_contacts([home, venues])}
    assert ("postcode", "YO1 7HH") not in found
    assert ("phone", "+441904613161") not in found
    assert ("email", "info@hall.org") not in found
    assert ("postcode", "LS1 5HN") in found
    assert ("email", "events@acme.co.uk") in found


def test_site_contacts_keep_first_sighting() -> None:
    """One contact per (kind, value) across pages, from the page that showed it first."""
    pages = [
        Page(url=f"https://acme.co.uk/{name}", html="<p>hello@acme.co.uk</p>")
        for name in ("", "about")
    ]
    (found,) = collect_contacts(pages)
    assert found.url == "https://acme.co.uk/"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param("<p>jo AT acme DOT com</p>", ["jo@acme.com"], id="upper-at-dot"),
        pytest.param("<p>jo [@] acme.co.uk</p>", ["jo@acme.co.uk"], id="bracket-sign"),
        pytest.param(
            "<p>jo (at) acme (dot) org</p>", ["jo@acme.org"], id="paren-at-dot"
        ),
        pytest.param("<p>Meet at the park. Done.</p>", [], id="prose-at"),
    ],
)
def test_more_obfuscations(html: str, expected: list[str]) -> None:
    """Further common spellings of a hidden address decode; prose does not."""
    assert values(html, "email") == expected


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        pytest.param(
            "<p>Tel +44 (0) 113 243 8610</p>",
            URL,
            ["+441132438610"],
            id="trunk-zero-in-brackets",
        ),
        pytest.param(
            "<p>Tel 0113 243 8610 Fax 0113 243 8611</p>",
            URL,
            ["+441132438610"],
            id="fax-left-out",
        ),
        pytest.param(
            "<p>Telefon 07266 4540055</p>",
            "https://www.example-gmbh.de/kontakt",
            ["+4972664540055"],
            id="country-code-domain",
        ),
        pytest.param(
            "<p>Call 0113 243 8610</p>",
            "https://acme.io/",
            ["+441132438610"],
            id="generic-cctld-stays-gb",
        ),
    ],
)
def test_phone_regions(html: str, url: str, expected: list[str]) -> None:
    """National numbers read in the site's country; fax lines are not contacts."""
    assert values(html, "phone", url=url) == expected


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("", id="empty"),
        pytest.param("not html at all", id="plain-text"),
        pytest.param(
            "<a href='https://x.com[::1'>x</a><a href='http://[::1'>y</a>",
            id="malformed-urls",
        ),
        pytest.param(
            "<a href='mailto:'>m</a><a href='tel:'>t</a><a href='https://wa.me/'>w</a>",
            id="empty-schemes",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": ["Organization", 5],'
            ' "email": 5, "telephone": ["0113 243 8610", null], "sameAs": {"a": 1},'
            ' "address": [{"@type": "PostalAddress", "postalCode": 7,'
            ' "addressCountry": {"name": 3}}], "identifier": [{"propertyID":'
            ' "Company number", "value": "x"}, 4]}</script>',
            id="odd-jsonld-shapes",
        ),
        pytest.param(
            "<span data-cfemail='zz'>x</span><a href='/cdn-cgi/l/email-protection#00'>"
            "y</a>",
            id="bad-cfemail",
        ),
    ],
)
def test_odd_pages_do_not_raise(html: str) -> None:
    """Malformed markup, URLs and JSON-LD give no contact rather than an error."""
    page = Page(url=URL, html=html)
    assert all(c.kind != "email" for c in extract_contacts(page))


def test_details_next_to_theme_placeholders_left_out() -> None:
    """An address printed beside a 555 stand-in number is unfilled template text."""
    html = (
        "<h3>Support</h3><p>Email: help@demo-app.com</p><p>Phone: +1 (555) 123-4567</p>"
        "<h3>Studio</h3><p>Write to</p><p>our team</p><p>at</p><p>hello@acme.co.uk</p>"
    )
    assert values(html, "email") == ["hello@acme.co.uk"]


def test_company_number_from_jsonld_identifier_not_vat() -> None:
    """A schema.org identifier named as a company number counts; taxID does not."""
    html = (
        '<script type="application/ld+json">{"@type": "Organization",'
        ' "taxID": "GB123456789", "vatID": "GB987654321", "identifier":'
        ' {"@type": "PropertyValue", "propertyID": "Company Number",'
        ' "value": "SC123456"}}</script>'
    )
    assert values(html, "company_number") == ["SC123456"]
