"""Text keys shared by every stage: folding, comparison keys, safe links, formula triggers.

The one leaf module: it imports nothing from the atlas, so any layer may use it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


_NON_WORD = re.compile(r"[\W_]+")


def strip_accents(text: str) -> str:
    """Remove combining marks: ``Autrêches`` → ``Autreches``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Case- and accent-insensitive key for comparing names and labels (remembered: an
    upload folds the same kinds, sectors and countries row after row)."""
    return re.sub(r"\s+", " ", strip_accents(text).casefold()).strip()


def normalise_header(header: str) -> str:
    """Header key: accents and case folded, ``_``, ``-`` and runs of spaces made one space."""
    return re.sub(r"[\s_\-]+", " ", fold(header)).strip()


def name_key(name: str) -> str:
    """An organisation's name for fuzzy comparison: folded, punctuation made spaces."""
    return re.sub(r"[^\w]+", " ", fold(name)).strip()


def place_key(name: str) -> str:
    """Spelling-insensitive key for a place: accents, case, hyphens, apostrophes and dots
    folded, ``ß`` as ``ss``.

    ``'s-Gravenhage`` → ``s gravenhage``; ``Frankfurt-am-Main`` → ``frankfurt am main``.
    """
    # The same as re.sub(r"[\W_]+", " ", fold(name)) — fold's spaces are non-word runs
    # too — without decomposing names that are plain ASCII (most of them): the index of
    # millions of names is built in a fraction of the time.
    text = name.replace("ß", "ss")
    if not text.isascii():
        text = strip_accents(text)
    return _NON_WORD.sub(" ", text.casefold()).strip()


def safe_url(url: object) -> str | None:
    """An http(s) URL fit for an href, or None (the last line of defence: registry URLs
    are validated on the way in)."""
    if not isinstance(url, str):
        return None
    lowered = url.strip().lower()
    if not (lowered.startswith("https://") or lowered.startswith("http://")):
        return None
    if any(ch.isspace() or ch in "\"'<>`\\" for ch in url):
        return None
    return html.escape(url.strip(), quote=True)


# Hosts that many organisations share (social networks, link pages, site builders that
# put every site under one host): there the first path segment names the organisation,
# and the host alone identifies nobody.
SHARED_HOSTS = frozenset({
    "facebook.com", "m.facebook.com", "fb.com", "fb.me", "instagram.com", "twitter.com",
    "x.com", "linkedin.com", "youtube.com", "youtu.be", "tiktok.com", "t.me", "vk.com",
    "mastodon.social", "medium.com", "github.com", "gitlab.com", "linktr.ee",
    "sites.google.com", "google.com", "docs.google.com", "goo.gl", "bit.ly",
    "wix.com", "wixsite.com", "jimdo.com", "jimdosite.com", "wordpress.com",
    "blogspot.com", "over-blog.com", "weebly.com", "squarespace.com", "helloasso.com",
    "eventbrite.com", "meetup.com", "framasite.org", "ulule.com", "kisskissbankbank.com",
})


def website_key(url: str | None) -> str | None:
    """What identifies an organisation's website: the host without ``www.``
    (``https://www.Example.org/a`` → ``example.org``); on a shared host, the host and
    the first path segment (``facebook.com/fablab``), or None for the bare host."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    host = host.removeprefix("www.")
    if host in SHARED_HOSTS:
        first = next((p for p in parts.path.lower().split("/")
                      if p and p not in ("pages", "groups", "pg", "company", "view", "site",
                                         "channel", "c", "user", "in", "org", "s")), "")
        return f"{host}/{first}" if first else None
    return host or None


def counted(n: int, word: str, plural: str | None = None) -> str:
    """A count in English words, for the CLI and core messages: ``1 row``, ``1,794 rows``
    (the interface words its counts with the catalogues' plural rules instead)."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"
