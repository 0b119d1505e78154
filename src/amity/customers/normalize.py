"""Turning what people type into what we store: emails, phones and web domains, with field-named errors."""

from __future__ import annotations

import re
from typing import Any

from amity.core.email_addresses import normalize_email
from amity.core.phones import to_e164

DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def web_domain(raw: str) -> str:
    """acme.com from 'https://www.Acme.com/about' or 'acme.com'."""
    domain = (raw or "").strip().lower()
    domain = re.sub(r"^[a-z]+://", "", domain).split("/")[0].split(":")[0]
    domain = domain.removeprefix("www.")
    if not DOMAIN_PATTERN.match(domain):
        raise ValueError("Enter a web domain such as acme.com.")
    return domain


def _one_primary(items: list[dict[str, Any]], field: str, errors: dict[str, str]) -> None:
    flagged = [index for index, item in enumerate(items) if item.get("primary")]
    if len(flagged) > 1:
        errors[f"{field}.{flagged[1]}.primary"] = "Only one can be primary."
    for index, item in enumerate(items):
        item["primary"] = index == (flagged[0] if flagged else 0)


def emails(raw: list[dict[str, Any]] | None, errors: dict[str, str]) -> list[dict[str, Any]]:
    """Lower-cased, validated, without duplicates, with exactly one primary."""
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw or []):
        try:
            address = normalize_email(str(item.get("address", "")))
        except ValueError as error:
            errors[f"emails.{index}.address"] = str(error)
            continue
        if address not in seen:
            seen.add(address)
            cleaned.append({"address": address, "primary": bool(item.get("primary"))})
    _one_primary(cleaned, "emails", errors)
    return cleaned


def phones(raw: list[dict[str, Any]] | None, errors: dict[str, str], kinds: set[str], region: str | None = None) -> list[dict[str, Any]]:
    """E.164 numbers with their kind, without duplicates, with exactly one primary."""
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw or []):
        kind = str(item.get("kind") or "mobile")
        if kind not in kinds:
            errors[f"phones.{index}.kind"] = f"Choose one of: {', '.join(sorted(kinds))}."
            continue
        try:
            number = to_e164(str(item.get("number", "")), region)
        except ValueError as error:
            errors[f"phones.{index}.number"] = str(error)
            continue
        if number not in seen:
            seen.add(number)
            cleaned.append({"number": number, "kind": kind, "primary": bool(item.get("primary"))})
    _one_primary(cleaned, "phones", errors)
    return cleaned


def domains(raw: list[str] | None, errors: dict[str, str]) -> list[str]:
    cleaned: list[str] = []
    for index, item in enumerate(raw or []):
        try:
            domain = web_domain(str(item))
        except ValueError as error:
            errors[f"domains.{index}"] = str(error)
            continue
        if domain not in cleaned:
            cleaned.append(domain)
    return cleaned


def tag_names(raw: list[str] | None, errors: dict[str, str]) -> list[str]:
    cleaned: list[str] = []
    for index, item in enumerate(raw or []):
        name = " ".join(str(item).split())
        if not name or len(name) > 60:
            errors[f"tags.{index}"] = "A tag has 1 to 60 characters."
        elif name.lower() not in {tag.lower() for tag in cleaned}:
            cleaned.append(name)
    return cleaned
