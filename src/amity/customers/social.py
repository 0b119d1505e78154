"""A contact's social profiles: one handle per network, checked and stored the same way from the API, the page and imports.

People paste a profile's address as often as they type a handle, so either is taken:
`https://www.linkedin.com/in/ada-lovelace/`, `linkedin.com/in/ada-lovelace` and `ada-lovelace` all
store `{"linkedin": "ada-lovelace"}`, and `@ada` or `https://x.com/ada` store `{"x": "ada"}`. A
network Amity does not know (a name of lower-case letters, digits, - or _) keeps what was given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_NETWORKS = 20
MAX_HANDLE = 200
NETWORK_NAME = re.compile(r"[a-z][a-z0-9_-]{0,29}")
ALIASES = {"twitter": "x"}


@dataclass(frozen=True)
class Network:
    """A network Amity knows: how its handles look, where its profiles live, how to show one."""

    label: str
    icon: str  # a Tabler icon
    profile: str  # the profile's address, with {handle}
    handle: re.Pattern[str]
    hosts: tuple[str, ...]
    path_prefix: str = ""  # what comes before the handle in a profile's address
    shown_prefix: str = ""  # what comes before the handle when it is shown

    def shown(self, handle: str) -> str:
        return f"{self.shown_prefix}{handle}"


NETWORKS: dict[str, Network] = {
    "linkedin": Network(
        "LinkedIn", "brand-linkedin", "https://www.linkedin.com/in/{handle}", re.compile(r"[\w%-]{3,100}"), ("linkedin.com",), "in/"
    ),
    "x": Network("X", "brand-x", "https://x.com/{handle}", re.compile(r"\w{1,15}", re.ASCII), ("x.com", "twitter.com"), "", "@"),
    "github": Network(
        "GitHub", "brand-github", "https://github.com/{handle}", re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"), ("github.com",)
    ),
    "instagram": Network(
        "Instagram",
        "brand-instagram",
        "https://www.instagram.com/{handle}",
        re.compile(r"[\w.]{1,30}", re.ASCII),
        ("instagram.com",),
        "",
        "@",
    ),
    "facebook": Network(
        "Facebook", "brand-facebook", "https://www.facebook.com/{handle}", re.compile(r"[\w.-]{1,50}", re.ASCII), ("facebook.com", "fb.com")
    ),
    "youtube": Network(
        "YouTube", "brand-youtube", "https://www.youtube.com/@{handle}", re.compile(r"[\w.-]{3,30}", re.ASCII), ("youtube.com",), "@", "@"
    ),
    "tiktok": Network(
        "TikTok", "brand-tiktok", "https://www.tiktok.com/@{handle}", re.compile(r"[\w.]{2,24}", re.ASCII), ("tiktok.com",), "@", "@"
    ),
    "bluesky": Network(
        "Bluesky",
        "brand-bluesky",
        "https://bsky.app/profile/{handle}",
        re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"),
        ("bsky.app",),
        "profile/",
        "@",
    ),
    "mastodon": Network(
        "Mastodon",
        "brand-mastodon",
        "https://{server}/@{user}",
        re.compile(r"\w{1,30}@(?:[a-z0-9-]+\.)+[a-z]{2,63}", re.ASCII),
        (),
        "",
        "@",
    ),
}


def _from_address(network: Network, text: str) -> str | None:
    """The handle in a profile's address on the network's own site, or None when `text` is no such address."""
    if "/" not in text:
        return None
    parts = urlsplit(text if "://" in text else f"https://{text}")
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    if host not in network.hosts:
        return None
    path = parts.path.strip("/")
    if not path.startswith(network.path_prefix):
        return None
    return path.removeprefix(network.path_prefix).split("/")[0]


def _mastodon(text: str) -> str:
    """user@server from `@user@server` or `https://server/@user`."""
    if "/" in text:
        parts = urlsplit(text if "://" in text else f"https://{text}")
        user = parts.path.strip("/").split("/")[0].removeprefix("@")
        return f"{user}@{(parts.hostname or '').lower()}" if user else text
    user, _, server = text.removeprefix("@").partition("@")
    return f"{user}@{server.lower()}"


def clean_handle(name: str, raw: Any, errors: dict[str, str]) -> str:
    """One network's handle as it is stored ("" for none); a bad one is named as `social.<network>`."""
    text = str(raw if raw is not None else "").strip()
    network = NETWORKS.get(name)
    if not text or network is None:
        if len(text) > MAX_HANDLE:
            errors[f"social.{name}"] = f"Use at most {MAX_HANDLE} characters."
        return text
    if name == "mastodon":
        handle = _mastodon(text)
    else:
        found = _from_address(network, text)
        if found is None and "/" in text:
            errors[f"social.{name}"] = f"Give the handle, or the address of a profile on {network.hosts[0]}."
            return text
        handle = (found if found is not None else text).removeprefix("@")
        if name == "bluesky":
            handle = handle.lower()  # a Bluesky handle is a domain name
    if not network.handle.fullmatch(handle):
        example = {"mastodon": "@name@mastodon.social", "bluesky": "name.bsky.social"}.get(name, f"{network.shown_prefix}name")
        errors[f"social.{name}"] = f"{network.label} handles look like {example}; give one, or the profile's address."
        return text
    return handle


def clean_social(raw: Any, errors: dict[str, str]) -> dict[str, str]:
    """Handles by network: names lower-cased (`twitter` is `x`), handles taken out of profile addresses, empty ones dropped."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, Mapping):
        errors["social"] = 'Give handles by network, e.g. {"linkedin": "ada-lovelace"}.'
        return {}
    if len(raw) > MAX_NETWORKS:
        errors["social"] = f"Give at most {MAX_NETWORKS} networks."
        return {}
    cleaned: dict[str, str] = {}
    for given_name, handle in raw.items():
        name = str(given_name).strip().lower()
        name = ALIASES.get(name, name)
        if not NETWORK_NAME.fullmatch(name):
            errors["social"] = f"Name each network in lower-case letters, digits, - or _ (not {str(given_name)[:30]!r})."
            continue
        if name in cleaned:
            errors[f"social.{name}"] = "Give one handle per network."
            continue
        value = clean_handle(name, handle, errors)
        if value:
            cleaned[name] = value
    return dict(sorted(cleaned.items()))


def profile(name: str, handle: str) -> tuple[str, str, str, str]:
    """How a stored handle is shown: (network's label, icon, the handle as written, its profile's address or "")."""
    network = NETWORKS.get(name)
    if network is None:
        address = handle if handle.startswith(("https://", "http://")) else ""
        return name.replace("_", " ").replace("-", " ").capitalize(), "world", handle, address
    if name == "mastodon":
        user, _, server = handle.partition("@")
        return network.label, network.icon, network.shown(handle), network.profile.format(server=server, user=user)
    return network.label, network.icon, network.shown(handle), network.profile.format(handle=handle)
