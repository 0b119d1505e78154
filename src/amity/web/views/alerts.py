"""Settings → Alerts (the workspace's rules, admins) and Settings → Notifications (each person's own choices)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from amity.core import alerts, notifications, selectors
from amity.core.permissions import Action, ObjectType
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view


def _rules(
    request: WorkspaceRequest, *, failed: int | None = None, posted: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Each rule with the fields of its form: the value in force (or the one just posted back with its error) and the default."""
    rows = sorted(
        selectors.alert_rule_list(actor=request.user, workspace=request.workspace), key=lambda r: list(alerts.RULES).index(r.kind)
    )
    rules = []
    for row in rows:
        rule = selectors.alert_rule_out(row)
        mine = row.pk == failed
        rule["fields"] = [
            {
                "spec": param,
                "value": (posted or {}).get(param.key, "") if mine else rule["params"].get(param.key, ""),
                "default": rule["defaults"].get(param.key, ""),
                "error": (errors or {}).get(param.key, "") if mine else "",
            }
            for param in alerts.RULES[row.kind].params
        ]
        rule["errors"] = [message for key, message in (errors or {}).items() if mine and key not in rule["params"]]
        rules.append(rule)
    return rules


@workspace_view
@require_http_methods(["GET"])
def settings_alerts(request: WorkspaceRequest) -> HttpResponse:
    ensure(request, Action.VIEW, ObjectType.ALERT_RULE)
    return render_page(request, "web/settings/alerts.html", {"rules": _rules(request)})


@workspace_view
@require_POST
def settings_alert_update(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Save one rule's switch and parameters; a bad value comes back on the page with its message, nothing saved."""
    rule = selectors.alert_rule_get(actor=request.user, workspace=request.workspace, pk=pk)
    rule_type = alerts.RULES[rule.kind]
    params = {param.key: request.POST.get(param.key, "") for param in rule_type.params}
    try:
        alerts.alert_rule_update(
            actor=request.user, workspace=request.workspace, rule=rule, enabled=request.POST.get("enabled") == "on", params=params
        )
    except ValidationError as error:
        errors = {key.removeprefix("params."): " ".join(value) for key, value in error.message_dict.items()}
        context = {"rules": _rules(request, failed=rule.pk, posted=params, errors=errors)}
        return render_page(request, "web/settings/alerts.html", context, status=422)
    messages.success(request, f"Saved: {rule_type.label}.")
    return redirect("settings_alerts", slug=request.workspace.slug)


@workspace_view
@require_http_methods(["GET", "POST"])
def notification_preferences(request: WorkspaceRequest) -> HttpResponse:
    """Per kind, in the app and by email; and how often email comes."""
    selectors.notification_list(actor=request.user, workspace=request.workspace)  # the permission to have notifications at all
    preference = notifications.preference_of(user=request.user, workspace=request.workspace)
    error = ""
    if request.method == "POST":
        kinds = [
            {"kind": kind, "in_app": request.POST.get(f"{kind}-in_app") == "on", "email": request.POST.get(f"{kind}-email") == "on"}
            for kind in notifications.KINDS
        ]
        try:
            notifications.preference_update(actor=request.user, workspace=request.workspace, digest=request.POST.get("digest"), kinds=kinds)
        except ValidationError as problem:
            error = " ".join(" ".join(value) for value in problem.message_dict.values())
        else:
            messages.success(request, "Your notification preferences were saved.")
            return redirect("notification_preferences", slug=request.workspace.slug)
    context = {
        "rows": notifications.preference_rows(preference),
        "digest": preference.digest,
        "digests": notifications.Digest.choices,
        "error": error,
        "icons": {kind.kind: kind.icon for kind in notifications.KINDS.values()},
    }
    return render_page(request, "web/settings/notifications.html", context, status=422 if error else 200)
