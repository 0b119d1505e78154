"""Custom field definitions through the API: patterns and help text, archiving, rules that fit the type, and their effect on records."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core import custom_fields
from amity.core.models import FieldDefinition, Workspace
from amity.customers.models import Contact

pytestmark = pytest.mark.django_db


def _field(api: Any, **body: Any) -> Any:
    return api.post("/api/v1/custom-fields", {"object_type": "contact", "key": "code", "label": "Code", "type": "text", **body})


def test_a_pattern_checks_text_values_and_the_help_text_explains_it(api: Any) -> None:
    created = _field(api, pattern=r"[A-Z]{2}-\d{4}", help_text="Two letters, a dash, four digits")
    bad = api.post("/api/v1/contacts", {"first_name": "Ada", "custom": {"code": "ab-1"}})
    good = api.post("/api/v1/contacts", {"first_name": "Ada", "custom": {"code": "AB-1234"}})

    assert created.status_code == 201, created.content
    assert (created.json()["pattern"], created.json()["help_text"], created.json()["archived_at"]) == (
        r"[A-Z]{2}-\d{4}", "Two letters, a dash, four digits", None
    )  # fmt: skip
    assert bad.json()["errors"] == [
        {"field": "custom.code", "message": "Does not have the expected form: Two letters, a dash, four digits"}
    ]
    assert good.status_code == 201


def test_a_pattern_that_runs_too_long_is_stopped_with_a_clear_error(api: Any) -> None:
    _field(api, pattern=r"(a|aa)+$")

    response = api.post("/api/v1/contacts", {"first_name": "Ada", "custom": {"code": "a" * 60 + "!"}})

    assert response.status_code == 422
    assert "in time" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"type": "number", "max_length": 5}, "max_length", "Only text fields have a maximum length."),
        ({"type": "date", "pattern": "x"}, "pattern", "Only text fields have a pattern."),
        ({"type": "text", "min_value": 1}, "min_value", "Only number and money fields have a minimum and a maximum."),
        ({"type": "money", "min_value": 5, "max_value": 1}, "max_value", "The maximum is smaller than the minimum."),
        ({"type": "text", "options": ["a"]}, "options", "Only single and multiple choice fields have options."),
        ({"type": "text", "pattern": "(unclosed"}, "pattern", "This is not a regular expression"),
    ],
)
def test_rules_that_do_not_fit_the_type_are_refused_by_name(api: Any, body: dict[str, Any], field: str, message: str) -> None:
    response = _field(api, **body)

    assert response.status_code == 422
    assert next(error for error in response.json()["errors"] if error["field"] == field)["message"].startswith(message)
    assert FieldDefinition.objects.count() == 0


def test_a_choice_field_can_be_renamed_without_sending_its_options_again(api: Any) -> None:
    field_id = _field(api, key="tier", label="Tier", type="choice", options=["gold"]).json()["id"]

    response = api.patch(f"/api/v1/custom-fields/{field_id}", {"label": "Customer tier"})

    assert response.status_code == 200, response.content
    assert (response.json()["label"], response.json()["options"]) == ("Customer tier", ["gold"])


def test_an_archived_field_is_listed_by_the_api_hidden_from_records_and_keeps_its_values(api: Any, workspace: Workspace) -> None:
    field_id = _field(api, key="tier", label="Tier", required=True).json()["id"]
    contact_id = api.post("/api/v1/contacts", {"first_name": "Ada", "custom": {"tier": "gold"}}).json()["id"]

    archived = api.patch(f"/api/v1/custom-fields/{field_id}", {"archived": True})
    listed = api.get("/api/v1/custom-fields").json()["items"]
    unchanged = api.patch(f"/api/v1/contacts/{contact_id}", {"first_name": "Ada", "custom": {"tier": "gold"}})
    changed = api.patch(f"/api/v1/contacts/{contact_id}", {"custom": {"tier": "silver"}})
    without_it = api.post("/api/v1/contacts", {"first_name": "Grace"})
    restored = api.patch(f"/api/v1/custom-fields/{field_id}", {"archived": False})

    assert archived.json()["archived_at"] is not None
    assert [item["key"] for item in listed] == ["tier"]
    assert unchanged.status_code == 200, unchanged.content
    assert changed.status_code == 422
    assert changed.json()["errors"][0] == {
        "field": "custom.tier",
        "message": "Tier is archived; restore it in Settings to change its values.",
    }
    assert without_it.status_code == 201  # an archived field is required of nobody
    assert Contact.objects.get(pk=contact_id).custom == {"tier": "gold"}
    assert restored.json()["archived_at"] is None


def test_moving_a_field_renumbers_the_positions(admin: Any, workspace: Workspace) -> None:
    fields = [
        custom_fields.field_definition_save(
            actor=admin, workspace=workspace, data={"object_type": "contact", "key": key, "label": key, "type": "text", "position": 5}
        )
        for key in ("a", "b", "c")
    ]

    custom_fields.field_definition_move(actor=admin, workspace=workspace, definition=fields[2], step=-1)
    custom_fields.field_definition_move(actor=admin, workspace=workspace, definition=fields[2], step=-1)

    assert list(FieldDefinition.objects.order_by("position").values_list("key", "position")) == [("c", 0), ("a", 1), ("b", 2)]


@pytest.mark.parametrize(
    ("label", "key"), [("Customer tier (€)", "customer_tier"), ("Größe", "grosse"), ("2nd phone", "field_2nd_phone"), ("€", "field")]
)
def test_a_key_is_made_from_the_label(label: str, key: str) -> None:
    assert custom_fields.key_from_label(label) == key
