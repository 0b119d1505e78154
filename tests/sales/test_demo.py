"""The demo's catalog and deals: believable, consistent, loaded once."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from amity.catalog.demo import load_catalog
from amity.catalog.models import PriceBook, Product
from amity.core.demo import load_demo
from amity.sales.demo import load_sales
from amity.sales.models import ExchangeRate, LineItem, Opportunity, Pipeline, StageChange
from amity.sales.selectors.currencies import corporate_currency


def test_the_demo_has_a_catalog_and_two_years_of_consistent_deals(db: Any) -> None:
    summary = load_demo()
    workspace = summary.workspace

    products = Product.objects.filter(workspace=workspace)
    assert 38 <= products.count() <= 45
    assert products.filter(kind="bundle").count() == 4
    assert set(PriceBook.objects.filter(workspace=workspace, is_default=True).values_list("currency", flat=True)) == {"EUR", "USD"}
    assert list(Pipeline.objects.filter(workspace=workspace).order_by("position").values_list("name", flat=True)) == ["Sales", "Renewals"]
    assert corporate_currency(workspace=workspace) == "EUR"
    rates = ExchangeRate.objects.filter(workspace=workspace)
    assert set(rates.values_list("currency", flat=True)) == {"USD"}
    assert rates.count() == 12 and {rate.valid_from.day for rate in rates} == {1}  # a year of monthly rates
    assert all(Decimal("0.85") < rate.rate < Decimal("0.99") for rate in rates)

    deals = Opportunity.objects.filter(workspace=workspace)
    assert deals.count() >= 1000
    by_status = dict(deals.values_list("status").annotate(n=Count("id")))
    assert by_status["won"] > 200 and by_status["lost"] > 300 and by_status["open"] > 80, by_status
    assert deals.filter(pipeline__name="Renewals").count() > 30
    assert not deals.filter(status="lost", lost_reason__isnull=True).exists()
    assert not deals.filter(status="open", closed_at__isnull=False).exists()
    assert deals.order_by("created_at").first().created_at < timezone.now() - timezone.timedelta(days=700)

    net_by_deal = dict(LineItem.objects.filter(workspace=workspace).values_list("opportunity_id").annotate(net=Sum("net_amount")))
    history: dict[int, list[StageChange]] = defaultdict(list)
    for change in StageChange.objects.filter(workspace=workspace).order_by("changed_at", "id"):
        history[change.opportunity_id].append(change)
    now = timezone.now()
    for deal in deals:
        assert deal.amount == net_by_deal[deal.pk] > Decimal(0)
        changes = history[deal.pk]
        assert changes[0].from_stage_id is None and changes[0].changed_at == deal.created_at
        assert changes[-1].to_stage_id == deal.stage_id and changes[-1].changed_at == deal.stage_changed_at <= now
        assert all(a.to_stage_id == b.from_stage_id for a, b in pairwise(changes))


def test_loading_again_adds_nothing(db: Any) -> None:
    summary = load_demo()
    workspace, counts = summary.workspace, (Product.objects.count(), Opportunity.objects.count(), StageChange.objects.count())
    load_catalog(workspace, {})  # a workspace that has products and deals is left alone
    load_sales(workspace, {})
    load_demo()
    assert (Product.objects.count(), Opportunity.objects.count(), StageChange.objects.count()) == counts


def test_the_demo_has_believable_leads_rules_a_form_and_conversions(db: Any) -> None:
    from amity.activities.models import Interaction
    from amity.sales.models import Lead, LeadAssignmentRule, LeadScoringRule, WebForm

    workspace = load_demo().workspace
    leads = Lead.objects.filter(workspace=workspace)
    assert leads.count() == 300
    by_status = dict(leads.values_list("status").annotate(n=Count("id")))
    assert set(by_status) == {"new", "contacted", "qualified", "unqualified", "converted"}, by_status
    assert by_status["converted"] == 24
    converted = leads.filter(status="converted")
    assert not converted.filter(converted_contact__isnull=True).exists()
    assert converted.filter(converted_opportunity__isnull=False).count() == 16
    worked = Interaction.objects.filter(lead__in=converted).first()
    assert worked is not None and worked.contacts.exists()
    assert leads.filter(score__gt=0).count() > 100 and leads.filter(first_contacted_at__isnull=True, status="new").exists()
    assert len({lead.source for lead in leads}) == 5
    assert LeadScoringRule.objects.filter(workspace=workspace).count() == 6
    assert LeadAssignmentRule.objects.filter(workspace=workspace).count() == 2
    assert WebForm.objects.filter(workspace=workspace, name="Contact us").exists()


def test_the_demo_people_find_alerts_in_their_bell(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    from django.core import mail

    from amity.core.demo import demo_email
    from amity.core.models import Notification
    from amity.core.permissions import Role

    with django_capture_on_commit_callbacks(execute=True):
        workspace = load_demo().workspace

    for role in (Role.OWNER, Role.MANAGER, Role.SALES):
        mine = Notification.objects.filter(workspace=workspace, recipient__email=demo_email(role))
        assert mine.filter(read_at__isnull=True).count() >= 3, role
    kinds = set(Notification.objects.filter(workspace=workspace).values_list("kind", flat=True))
    assert {"deal_no_activity", "deal_close_date_passed", "deal_moved_backward", "task_overdue"} <= kinds
    assert Notification.objects.filter(workspace=workspace, read_at__isnull=False).count() == 3
    assert mail.outbox == []  # the demo mails nobody


def test_the_demo_has_quotas_calls_and_overrides_that_make_a_forecast(db: Any) -> None:
    from amity.core.demo import demo_email
    from amity.core.models import User
    from amity.core.permissions import Role
    from amity.sales.models import ForecastSubmission, Quota
    from amity.sales.periods import current_period
    from amity.sales.selectors.forecasts import forecast

    summary = load_demo()
    workspace = summary.workspace
    quotas = Quota.objects.filter(workspace=workspace)
    assert quotas.values("user_id").distinct().count() == 2 and quotas.count() == 54
    assert ForecastSubmission.objects.filter(workspace=workspace, kind="override").count() == 2
    assert Opportunity.objects.filter(workspace=workspace, forecast_category_chosen=True).exists()
    assert not Opportunity.objects.filter(workspace=workspace, status="won").exclude(forecast_category="closed").exists()
    manager = User.objects.get(email=demo_email(Role.MANAGER))
    result = forecast(actor=manager, workspace=workspace, period=current_period("quarter").shifted(-1), currency="EUR")
    sam = next(row for row in result.rows if row.label == "Sam Sales")
    assert sam.figures.quota > 0 and sam.figures.closed_won > 0 and sam.figures.override is not None and sam.figures.call is not None
