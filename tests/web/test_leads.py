"""The lead pages, the lead settings pages and the web forms' public address (honeypot, rate limit, errors, JSON)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from amity.activities.models import Interaction
from amity.core.models import Notification
from amity.core.permissions import Role
from amity.customers.models import Contact
from amity.sales import services
from amity.sales.models import Lead, LeadAssignmentRule, LeadScoringRule, Opportunity, WebForm, WebFormSubmission
from amity.sales.web_form_snippet import snippet
from tests.factories import TeamFactory, account_with, member

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
JSON = {"Accept": "application/json"}


@pytest.fixture(autouse=True)
def _fresh_limits(settings: Any) -> None:
    cache.clear()
    settings.LEAD_FORM_LIMIT_PER_IP = (3, 600)
    settings.LEAD_FORM_LIMIT_PER_FORM = (100, 3600)


@pytest.fixture
def web_form(workspace, admin) -> WebForm:
    return services.web_form_create(
        actor=admin,
        workspace=workspace,
        data={
            "name": "Contact us",
            "fields": ["first_name", "last_name", "email", "company", "description"],
            "required": ["email", "last_name"],
            "consent_text": "Send me news",
            "source": "Website",
            "campaign": "Spring",
            "tags": ["inbound"],
            "thank_you_message": "Thanks, we will call you.",
        },
    )


def _public() -> Client:
    return Client(enforce_csrf_checks=True)  # a stranger's browser: no session, no CSRF cookie


SUBMISSION = {"first_name": "Grace", "last_name": "Hopper", "email": "Grace@Navy.example", "company": "Navy", "consent": "yes"}


# --- The public address -----------------------------------------------------------------------------------------


def test_a_submission_makes_a_lead_assigned_and_scored_with_its_proof(web_form, workspace, admin):
    seller = member(workspace, Role.SALES, email="seller@acme.test")
    services.assignment_rule_create(actor=admin, workspace=workspace, data={"name": "All", "assign_to_id": seller.pk})
    services.scoring_rule_create(
        actor=admin,
        workspace=workspace,
        data={"name": "Form", "kind": "field", "field": "source", "operator": "equals", "value": "website", "points": 15},
    )

    response = _public().post(
        f"/forms/{web_form.token}/",
        {**SUBMISSION, "unknown": "dropped"},
        HTTP_REFERER="https://acme.example/contact",
        HTTP_USER_AGENT="Tests",
    )

    assert response.status_code == 200
    assert "Thanks, we will call you." in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.email, lead.source, lead.campaign, lead.owner_id, lead.score, lead.marketing_consent, lead.web_form_id) == (
        "grace@navy.example", "Website", "Spring", seller.pk, 15, True, web_form.pk,
    )  # fmt: skip
    assert list(lead.tags.values_list("name", flat=True)) == ["inbound"]
    submission = WebFormSubmission.objects.get()
    assert (submission.lead_id, submission.referrer, submission.user_agent, submission.ip_address) == (
        lead.pk, "https://acme.example/contact", "Tests", "127.0.0.1",
    )  # fmt: skip
    assert submission.data == {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "Grace@Navy.example",
        "company": "Navy",
        "consent": True,
    }
    assert Notification.objects.get(recipient=seller).kind == "lead_assigned"


def test_the_honeypot_swallows_a_bot_silently(web_form):
    response = _public().post(f"/forms/{web_form.token}/", {**SUBMISSION, "amity_hp": "http://spam.example"})
    assert response.status_code == 200
    assert (Lead.objects.count(), WebFormSubmission.objects.count()) == (0, 0)


def test_bad_input_shows_a_plain_error_page_or_400_json_and_changes_nothing(web_form):
    page = _public().post(f"/forms/{web_form.token}/", {"first_name": "Grace", "email": "not-an-email"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "Please check the form" in text and "Last name is required." in text

    answer = _public().post(f"/forms/{web_form.token}/", {"last_name": "Hopper", "email": "nope"}, headers=JSON)
    assert answer.status_code == 400
    assert answer.json()["ok"] is False and set(answer.json()["errors"]) == {"email"}
    assert Lead.objects.count() == 0


def test_json_success_and_redirect(web_form, admin):
    answer = _public().post(f"/forms/{web_form.token}/", SUBMISSION, headers=JSON)
    assert answer.status_code == 200 and answer.json() == {"ok": True, "message": "Thanks, we will call you.", "redirect_url": None}
    services.web_form_update(actor=admin, form=web_form, data={"redirect_url": "https://acme.example/thanks"})
    response = _public().post(f"/forms/{web_form.token}/", {**SUBMISSION, "email": "two@navy.example"})
    assert (response.status_code, response["Location"]) == (302, "https://acme.example/thanks")


def test_the_rate_limit_stops_one_address_then_the_whole_form(web_form, settings):
    client = _public()
    statuses = [client.post(f"/forms/{web_form.token}/", {**SUBMISSION, "email": f"g{n}@navy.example"}).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert Lead.objects.count() == 3

    settings.LEAD_FORM_LIMIT_PER_IP = (100, 600)
    settings.LEAD_FORM_LIMIT_PER_FORM = (4, 3600)
    fourth = _public().post(f"/forms/{web_form.token}/", {**SUBMISSION, "email": "x@navy.example"}, REMOTE_ADDR="10.0.0.8", headers=JSON)
    fifth = _public().post(f"/forms/{web_form.token}/", {**SUBMISSION, "email": "y@navy.example"}, REMOTE_ADDR="10.0.0.9", headers=JSON)
    assert fourth.status_code == 200
    assert fifth.status_code == 429 and "too many" in fifth.json()["detail"]
    assert Lead.objects.count() == 4


def test_an_unknown_or_switched_off_form_is_a_404(web_form, admin):
    assert _public().post("/forms/not-a-token/", SUBMISSION).status_code == 404
    services.web_form_update(actor=admin, form=web_form, data={"active": False})
    assert _public().post(f"/forms/{web_form.token}/", SUBMISSION).status_code == 404


def test_the_snippet_posts_to_the_public_address_with_the_forms_fields(web_form):
    html = snippet(web_form)
    assert f'action="http://testserver/forms/{web_form.token}/"' in html
    assert 'name="email" type="email" autocomplete="email" required' in html
    assert 'name="amity_hp"' in html and 'name="consent"' in html and "Send me news" in html
    assert _public().get(f"/forms/{web_form.token}/").status_code == 200


# --- The lead pages ---------------------------------------------------------------------------------------------------


def test_the_list_shows_leads_with_score_and_loads_more(client_as, rep, workspace):
    for number in range(55):
        services.lead_create(actor=rep, workspace=workspace, data={"last_name": f"Lead {number:02}", "rating": "hot"})
    client = client_as(rep)
    page = client.get("/w/acme/leads/?sort=last_name")
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('data-lead="') == 50 and "Load more" in text and "Hot" in text
    cursor = page.context["next_url"]
    more = client.get(f"/w/acme/leads/{cursor}", headers=HTMX).content.decode()
    assert more.count('data-lead="') == 5 and "Lead 54" in more


@pytest.mark.parametrize("rows", [5, 40])
def test_the_list_page_costs_the_same_queries_at_any_size(rows, client_as, rep, workspace, django_assert_max_num_queries):
    for number in range(rows):
        services.lead_create(actor=rep, workspace=workspace, data={"last_name": f"L{number}"})
    client = client_as(rep)
    with django_assert_max_num_queries(14):
        assert client.get("/w/acme/leads/").status_code == 200


def test_a_lead_by_hand_then_its_page_with_quick_logging(client_as, rep, workspace):
    client = client_as(rep)
    response = client.post(
        "/w/acme/leads/new/", {"first_name": "Ada", "last_name": "Byron", "email": "ada@example.com", "status": "new", "country": "DE"}
    )
    assert response.status_code == 302, response.content
    lead = Lead.objects.get()
    assert (lead.owner_id, lead.country) == (rep.pk, "DE")
    page = client.get(f"/w/acme/leads/{lead.pk}/")
    assert page.status_code == 200 and "Ada Byron" in page.content.decode() and "Convert" in page.content.decode()

    logged = client.post(
        f"/w/acme/leads/{lead.pk}/log/call/",
        {"direction": "out", "outcome": "Connected", "occurred_at": "2026-11-23T10:00", "subject": "Intro"},
        headers=HTMX,
    )
    assert logged.status_code == 204, re.findall(r"(?:invalid-feedback|alert)[^<]*<[^<]*<?[^<]*", logged.content.decode())
    assert logged["HX-Refresh"] == "true"
    assert Interaction.objects.get().lead_id == lead.pk
    lead.refresh_from_db()
    assert lead.status == "contacted"


def test_bad_input_on_the_lead_form_is_shown_and_changes_nothing(client_as, rep):
    response = client_as(rep).post("/w/acme/leads/new/", {"last_name": "X", "email": "nope", "status": "new"})
    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()
    assert Lead.objects.count() == 0


def test_converting_in_the_ui_shows_the_matches_then_makes_the_deal(client_as, rep, workspace):
    account = account_with(workspace, "Navy", domains=("navy.example",))
    lead = services.lead_create(
        actor=rep,
        workspace=workspace,
        data={"first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.example", "company": "Navy"},
    )
    client = client_as(rep)
    page = client.get(f"/w/acme/leads/{lead.pk}/convert/").content.decode()
    assert "Existing account · same web domain" in page and "New contact" in page

    pipeline = services.sales_setup(workspace=workspace)
    response = client.post(
        f"/w/acme/leads/{lead.pk}/convert/",
        {
            "use_account": "on",
            "create_opportunity": "on",
            "name": "Navy compilers",
            "pipeline_id": pipeline.pk,
            "stage_id": pipeline.stages.first().pk,
            "amount": "5000",
            "currency": "usd",
        },
    )
    deal = Opportunity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/w/acme/deals/{deal.pk}/"
    assert (deal.account_id, deal.currency, Contact.objects.count()) == (account.pk, "USD", 1)
    assert client.get(f"/w/acme/leads/{lead.pk}/convert/").status_code == 302  # converted: back to its page


def test_another_workspaces_lead_is_a_404_on_every_page(client_as, rep, other_workspace):
    theirs = Lead.objects.create(workspace=other_workspace, last_name="Theirs")
    client = client_as(rep)
    for path in ("", "edit/", "convert/", "timeline/", "log/note/"):
        assert client.get(f"/w/acme/leads/{theirs.pk}/{path}").status_code == 404
    assert client.post(f"/w/acme/leads/{theirs.pk}/convert/", {}).status_code == 404
    assert Lead.objects.get(pk=theirs.pk).status == "new"


# --- Settings ----------------------------------------------------------------------------------------------------------


def test_an_admin_manages_scoring_assignment_and_forms_in_settings(client_as, admin, workspace):
    client = client_as(admin)
    team = TeamFactory(workspace=workspace, name="Inside")
    scoring = client.post("/w/acme/settings/lead-scoring/", {"name": "Meeting", "kind": "engagement", "channel": "meeting", "points": "10"})
    assert scoring.status_code == 302
    assert LeadScoringRule.objects.get().points == 10
    assert "Each meeting interaction" in client.get("/w/acme/settings/lead-scoring/").content.decode()

    assignment = client.post("/w/acme/settings/lead-assignment/", {"name": "DACH", "countries": "de, at", "team_id": team.pk})
    assert assignment.status_code == 302
    assert LeadAssignmentRule.objects.get().countries == ["DE", "AT"]

    created = client.post(
        "/w/acme/settings/web-forms/new/",
        {
            "name": "Demo request",
            "shown": ["last_name", "email"],
            "required": ["email"],
            "submit_label": "Send",
            "thank_you_message": "Thanks",
            "source": "Web",
            "active": "on",
        },
    )
    assert created.status_code == 302, created.content
    form = WebForm.objects.get()
    page = client.get(f"/w/acme/settings/web-forms/{form.pk}/").content.decode()
    assert "data-copy-target" in page and form.token in page


def test_a_rep_cannot_change_the_rules(client_as, rep):
    client = client_as(rep)
    assert (
        client.post(
            "/w/acme/settings/lead-scoring/", {"name": "X", "kind": "field", "field": "title", "operator": "is_set", "points": "5"}
        ).status_code
        == 403
    )
    assert LeadScoringRule.objects.count() == 0
