"""The demo's quotas and forecasts: monthly quotas for the sellers over two years, and their calls and overrides.

Quotas are set a little above what each seller really won per month on average, so attainment
hovers around 90% with good and bad months; the last and the current quarter have calls by the
reps, revised once, and the manager's override beside Sam's. A few open deals are put in commit
or best case by their reps. Seeded and written in bulk; loaded once.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils import timezone

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.sales.models import ForecastCategory, ForecastSubmission, Opportunity, Quota
from amity.sales.periods import add_months, current_period

QUOTA_MONTHS = 27  # the two years back from next quarter's end
CALLS = [("Initech and Hooli should both sign before the end of the quarter.", "Hooli slipped; Initech is signed."), ("", "")]


def _round(amount: Decimal, to: int = 1000) -> Decimal:
    return (amount / to).quantize(Decimal(1), rounding=ROUND_HALF_UP) * to


def load_forecasts(workspace: Workspace, users: dict[Role, User]) -> None:
    """Give the demo's sellers quotas for two years, and the last two quarters calls and an override (once)."""
    if Quota.objects.filter(workspace=workspace).exists() or not Opportunity.objects.filter(workspace=workspace).exists():
        return
    rng = random.Random(7)
    today = timezone.localdate()
    sellers = [users[Role.SALES], users[Role.MANAGER]]
    first = add_months(current_period("quarter", today=today).start, 6 - QUOTA_MONTHS)
    months = [add_months(first, offset) for offset in range(QUOTA_MONTHS)]
    won = dict(
        Opportunity.objects.filter(workspace=workspace, status="won", currency="EUR", owner__in=sellers)
        .values_list("owner_id")
        .annotate(total=Sum("amount"))
    )
    quotas = []
    for seller in sellers:
        monthly = _round(Decimal(won.get(seller.pk) or 240_000) / 24 * Decimal("1.1"))
        for month in months:
            seasonal = Decimal("1.2") if month.month in (3, 6, 9, 12) else Decimal(1)  # quarter ends are bigger
            quotas.append(
                Quota(
                    workspace=workspace,
                    user=seller,
                    month=month,
                    amount=_round(monthly * seasonal),
                    currency="EUR",
                    set_by=users[Role.ADMIN],
                )
            )
    Quota.objects.bulk_create(quotas)
    _submissions(workspace, users, today)
    _rep_categories(workspace, rng)


def _submissions(workspace: Workspace, users: dict[Role, User], today: dt.date) -> None:
    """Calls for the last and the current quarter, each revised once, and the manager's override of Sam's."""
    rep, manager = users[Role.SALES], users[Role.MANAGER]
    quotas = dict(Quota.objects.filter(workspace=workspace, currency="EUR").values_list("user_id").annotate(total=Sum("amount")))
    entries = []
    for shift, (first_note, second_note) in zip((-1, 0), CALLS, strict=True):
        period = current_period("quarter", today=today).shifted(shift)
        opened = timezone.make_aware(dt.datetime.combine(period.start, dt.time(9))) + dt.timedelta(days=10)
        for seller, share in ((rep, Decimal("0.95")), (manager, Decimal("0.85"))):
            quarter_quota = Decimal(quotas.get(seller.pk) or 0) / QUOTA_MONTHS * 3
            for step, (factor, note) in enumerate(((share, first_note), (share - Decimal("0.08"), second_note))):
                entries.append(
                    ForecastSubmission(
                        workspace=workspace, rep=seller, kind="call", period_kind="quarter", period_start=period.start,
                        amount=_round(quarter_quota * factor, 500), currency="EUR", note=note if seller == rep else "",
                        submitted_by=seller, submitted_at=min(opened + dt.timedelta(days=30 * step), timezone.now()),
                    )
                )  # fmt: skip
        sam_quota = Decimal(quotas.get(rep.pk) or 0) / QUOTA_MONTHS * 3
        entries.append(
            ForecastSubmission(
                workspace=workspace, rep=rep, kind="override", period_kind="quarter", period_start=period.start,
                amount=_round(sam_quota * Decimal("0.8"), 500), currency="EUR", note="Hooli will not sign this quarter.",
                submitted_by=manager, submitted_at=min(opened + dt.timedelta(days=35), timezone.now()),
            )
        )  # fmt: skip
    ForecastSubmission.objects.bulk_create(entries)


def _rep_categories(workspace: Workspace, rng: random.Random) -> None:
    """Reps put some open deals in commit or best case themselves, whatever their stage says."""
    open_ids = list(Opportunity.objects.filter(workspace=workspace, status="open").order_by("pk").values_list("pk", flat=True))
    chosen = rng.sample(open_ids, k=len(open_ids) // 8)
    half = len(chosen) // 2
    Opportunity.objects.filter(pk__in=chosen[:half]).update(forecast_category=ForecastCategory.COMMIT, forecast_category_chosen=True)
    Opportunity.objects.filter(pk__in=chosen[half:]).update(forecast_category=ForecastCategory.BEST_CASE, forecast_category_chosen=True)
