"""A new lead that nobody contacted within N hours alerts its owner, once; a first call clears it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from amity.activities import services as activity_services
from amity.core import alerts
from amity.core.models import AlertState, Notification, User, Workspace
from amity.sales import services
from amity.sales.models import Lead

NOW = timezone.now()


def _lead(rep: User, workspace: Workspace, first_name: str) -> Lead:
    data = {"first_name": first_name, "last_name": "Byron", "email": f"{first_name.lower()}@example.com", "company": "Analytical"}
    return services.lead_create(actor=rep, workspace=workspace, data={**data, "owner_id": rep.pk})


def test_a_new_lead_nobody_contacted_alerts_its_owner_once(rep: User, workspace: Workspace) -> None:
    waiting, called, young = (_lead(rep, workspace, name) for name in ("Ada", "Bob", "Cy"))
    Lead.objects.filter(pk__in=[waiting.pk, called.pk]).update(created_at=NOW - timedelta(hours=30))
    Lead.objects.filter(pk=young.pk).update(created_at=NOW - timedelta(hours=2))
    activity_services.interaction_log(actor=rep, workspace=workspace, channel="phone", subject="Intro", lead=called, occurred_at=NOW)

    assert alerts.evaluate_workspace(workspace=workspace, now=NOW) == 1
    assert alerts.evaluate_workspace(workspace=workspace, now=NOW + timedelta(minutes=15)) == 0

    alert = Notification.objects.get(kind="lead_not_contacted")
    assert (alert.recipient_id, alert.title, alert.url) == (
        rep.pk,
        "Not contacted yet: Ada Byron",
        f"/w/{workspace.slug}/leads/{waiting.pk}/",
    )


def test_a_first_call_clears_the_alert(rep: User, workspace: Workspace) -> None:
    waiting = _lead(rep, workspace, "Ada")
    Lead.objects.filter(pk=waiting.pk).update(created_at=NOW - timedelta(hours=30))
    alerts.evaluate_workspace(workspace=workspace, now=NOW)
    activity_services.interaction_log(actor=rep, workspace=workspace, channel="email", subject="Hello", lead=waiting, occurred_at=NOW)

    alerts.evaluate_workspace(workspace=workspace, now=NOW + timedelta(minutes=15))

    assert not AlertState.objects.filter(kind="lead_not_contacted").exists()
