"""The identity-resolution engine on real-looking examples: keys, scores with reasons, blocking and clusters."""

from __future__ import annotations

import itertools

import pytest

from amity.customers.dedupe import engine, normalize
from amity.customers.dedupe.records import Organization, Person, organization, person
from amity.customers.dedupe.scoring import DEFAULT_THRESHOLD, score_organizations, score_people
from bench.scenarios._people import People, precision_recall, true_pairs


def test_keys_fold_names_emails_phones_and_addresses() -> None:
    ada = person(
        id=1,
        first_name="  José-María ",
        last_name="O'Neil",
        emails=["Jose.Maria+crm@GoogleMail.com", "jm@acme.com"],
        phones=["(202) 555-0143", "+12025550143", "not a number"],
        employers=["ACME, Inc."],
        addresses=[("12 Main Street", "10001", "New York"), ("", "", "")],
    )
    assert (ada.first, ada.last) == ("jose", "oneil")
    assert ada.emails == ("josemaria@gmail.com", "jm@acme.com")
    assert ada.phones == ("+12025550143",)
    assert ada.employers == ("acme", "acme.com")
    assert ada.addresses == ("10001|12",)
    assert normalize.company_name("The Smith & Sons Holding GmbH") == "smith sons"
    assert normalize.email_local("info@acme.com") == ""


def test_a_full_name_in_one_field_is_split() -> None:
    assert normalize.split_name("Grace Brewster Hopper", "") == ("grace", "hopper")
    assert normalize.split_name("", "Alan Turing") == ("alan", "turing")


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        ({"first_name": "Katherine", "last_name": "Johnson"}, {"first_name": "Kathrine", "last_name": "Johnson"}, "similar name"),
        ({"first_name": "Liu", "last_name": "Veronica"}, {"first_name": "Veronica", "last_name": "Liu"}, "first and last name swapped"),
        ({"first_name": "Robert", "last_name": "Smith"}, {"first_name": "Bob", "last_name": "Smith"}, "nickname"),
        ({"first_name": "Ali", "last_name": "Jason"}, {"first_name": "Jason", "last_name": "Ail"}, "first and last name swapped"),
        ({"first_name": "Jason", "last_name": "Ali"}, {"first_name": "Jason", "last_name": "Ail"}, "similar name"),
    ],
)
def test_typos_transpositions_swaps_and_nicknames_with_a_shared_phone_are_one_person(
    first: dict[str, str], second: dict[str, str], reason: str
) -> None:
    a = person(id=1, **first, phones=["+1 312 211 8267"], emails=["someone@icloud.com"])
    b = person(id=2, **second, phones=["(312) 211-8267"], emails=["another@gmail.com"])
    value, reasons = score_people(a, b)
    assert value >= DEFAULT_THRESHOLD
    assert reason in reasons and "same phone" in reasons


def test_a_household_sharing_phone_and_address_is_not_one_person() -> None:
    """Kendra and Brenda Strickland: same landline, same home, two people."""
    home = [("6134 Levy Viaduct", "12812", "Pine City")]
    kendra = person(id=1, first_name="Kendra", last_name="Strickland", phones=["+1 212 779 5329"], addresses=home)
    brenda = person(id=2, first_name="Brenda", last_name="Strickland", phones=["+1 212 779 5329"], addresses=home)
    mary = person(id=3, first_name="Mary", last_name="Strickland", phones=["+1 212 779 5329"], addresses=home)
    assert score_people(kendra, brenda)[0] < DEFAULT_THRESHOLD
    value, reasons = score_people(kendra, mary)
    assert value < 0.05 and reasons[0] == "different names"


def test_the_same_common_name_alone_is_not_enough() -> None:
    a = person(id=1, first_name="John", last_name="Smith", emails=["john.smith@acme.com"], phones=["+1 202 555 0100"])
    b = person(id=2, first_name="John", last_name="Smith", emails=["jsmith@globex.com"], phones=["+1 415 555 0199"])
    value, reasons = score_people(a, b)
    assert value < 0.1
    assert reasons == ["same name", "different phones"]


def test_same_name_and_address_with_a_changed_email_is_one_person() -> None:
    home = [("8387 Hansen Forge", "17067", "Hill City")]
    a = person(id=1, first_name="Kristina", last_name="Golden", emails=["kristina48694@icloud.com"], addresses=home)
    b = person(
        id=2, first_name="Kristina", last_name="Golden", emails=["kgolden@gmail.com"], addresses=[("8387 hansen forge", "17067", "")]
    )
    assert score_people(a, b) == (pytest.approx(0.8176, abs=1e-4), ["same name", "same address"])


def test_accounts_by_domain_name_and_address() -> None:
    acme = organization(id=1, name="ACME, Inc.", domains=["acme.com"])
    same = organization(id=2, name="Acme Incorporated", domains=["acme.com"])
    other = organization(id=3, name="Acme", domains=["acme.org"])
    value, reasons = score_organizations(acme, same)
    assert value > 0.99 and reasons == ["same name", "same web domain"]
    assert score_organizations(acme, other)[0] < DEFAULT_THRESHOLD


def test_blocking_compares_only_records_sharing_a_key() -> None:
    records = [
        person(id=1, first_name="Ada", last_name="Lovelace", emails=["ada@acme.com"]),
        person(id=2, first_name="Lovelace", last_name="Ada", phones=["+1 202 555 0143"]),
        person(id=3, first_name="Grace", last_name="Hopper", phones=["+1 202 555 0143"]),
        person(id=4, first_name="Alan", last_name="Turing"),
    ]
    assert sorted(engine.candidate_pairs(records)) == [(0, 1), (1, 2)]


def test_a_huge_block_is_walked_in_order_not_compared_pair_by_pair() -> None:
    records = [person(id=n, first_name="James", last_name="Smith", emails=[f"js{n}@example.com"]) for n in range(1, 1001)]
    pairs = list(engine.candidate_pairs(records))
    assert len(pairs) < 1000 * engine.WINDOW * 2 * 2
    assert len(set(pairs)) == len(pairs)


def test_a_pair_names_the_smaller_id_first_whatever_order_the_records_came_in() -> None:
    """PostgreSQL returns rows in no set order; a stored pair must still be (smaller id, larger id)."""
    later = person(id=46624, first_name="Ada", last_name="Lovelace", emails=["ada@example.com"])
    earlier = person(id=46623, first_name="Ada", last_name="Lovelace", emails=["ada@example.com"])
    [pair] = engine.find_pairs([later, earlier])
    assert (pair.left.id, pair.right.id) == (46623, 46624)


def test_clusters_join_accepted_pairs_but_not_across_a_plain_mismatch() -> None:
    robert = person(id=1, first_name="Robert", last_name="Smith", emails=["rob@acme.com"], phones=["+1 202 555 0143"])
    bob = person(id=2, first_name="Bob", last_name="Smith", phones=["+1 202 555 0143"])
    swapped = person(id=3, first_name="Smith", last_name="Robert", emails=["rob@acme.com"])
    pairs = engine.find_pairs([robert, bob, swapped])
    found = engine.clusters(pairs)
    assert len(found) == 1
    assert [record.id for record in found[0].records] == [1, 2, 3]
    assert found[0].score == min(pair.score for pair in pairs if pair.score >= DEFAULT_THRESHOLD)
    assert "same email" in found[0].reasons and "nickname" in found[0].reasons


def test_matches_for_a_new_record() -> None:
    new = person(id=0, first_name="Kathrine", last_name="Jonhson", emails=["kj@x.org"])
    existing = [
        person(id=5, first_name="Katherine", last_name="Johnson", emails=["KJ@x.org"]),
        person(id=6, first_name="Kate", last_name="Lee"),
    ]
    matches = engine.matches_for(new, existing)
    assert [pair.right.id for pair in matches] == [5]


def test_records_are_frozen_and_typed() -> None:
    assert Person(id=1).type == "contact" and Organization(id=1).type == "account"


def test_precision_and_recall_on_generated_people() -> None:
    """5,000 generated contacts with known repeats: the bench's targets hold at a small size too."""
    rows = list(People(seed=7).rows(5000))
    records = [
        person(
            id=index + 1,
            first_name=row.first_name,
            last_name=row.last_name,
            emails=[row.email] if row.email else [],
            phones=[row.phone] if row.phone else [],
            employers=[row.company] if row.company else [],
            addresses=[(row.street, row.postcode, row.city)] if row.street else [],
        )
        for index, row in enumerate(rows)
    ]
    found = {
        pair
        for cluster in engine.clusters(engine.find_pairs(records))
        for pair in itertools.combinations(sorted(record.id - 1 for record in cluster.records), 2)
    }
    precision, recall = precision_recall(found, true_pairs([row.entity for row in rows]))
    assert precision >= 0.98
    assert recall >= 0.95
