from django.urls import URLPattern, URLResolver, include, path

from amity.web.views import (
    activities,
    auth,
    custom_fields,
    customers,
    deals,
    forecasts,
    imports,
    invitations,
    profile,
    record_activity,
    records,
    settings,
    workspaces,
)

settings_urls: list[URLPattern | URLResolver] = [
    path("", settings.settings_index, name="settings"),
    path("workspace/", settings.settings_workspace, name="settings_workspace"),
    path("members/", settings.settings_members, name="settings_members"),
    path("members/<int:pk>/role/", settings.settings_member_role, name="settings_member_role"),
    path("members/<int:pk>/remove/", settings.settings_member_remove, name="settings_member_remove"),
    path("invitations/<int:pk>/revoke/", settings.settings_invitation_revoke, name="settings_invitation_revoke"),
    path("teams/", settings.settings_teams, name="settings_teams"),
    path("teams/new/", settings.settings_team_create, name="settings_team_create"),
    path("teams/<int:pk>/", settings.settings_team_edit, name="settings_team_edit"),
    path("teams/<int:pk>/delete/", settings.settings_team_delete, name="settings_team_delete"),
    path("tokens/", settings.settings_tokens, name="settings_tokens"),
    path("tokens/<int:pk>/revoke/", settings.settings_token_revoke, name="settings_token_revoke"),
    path("audit-log/", settings.settings_audit, name="settings_audit"),
    path("tasks/", settings.settings_tasks, name="settings_tasks"),
    path("custom-fields/", custom_fields.settings_custom_fields, name="settings_custom_fields"),
    path("custom-fields/new/", custom_fields.settings_custom_field_create, name="settings_custom_field_create"),
    path("custom-fields/<int:pk>/", custom_fields.settings_custom_field_edit, name="settings_custom_field_edit"),
    path("custom-fields/<int:pk>/move/", custom_fields.settings_custom_field_move, name="settings_custom_field_move"),
    path("custom-fields/<int:pk>/archive/", custom_fields.settings_custom_field_archive, name="settings_custom_field_archive"),
    path("custom-fields/<int:pk>/delete/", custom_fields.settings_custom_field_delete, name="settings_custom_field_delete"),
    path("profile/", profile.profile, name="profile"),
]


def record_urls(kind: str) -> list[URLPattern | URLResolver]:
    """The list, export, bulk actions, saved views, new-record form and detail page of contacts or accounts."""
    extra = {"kind": kind}
    return [
        path("", customers.record_list, extra, name=f"{kind}_list"),
        path("new/", customers.record_create, extra, name=f"{kind}_create"),
        path("bulk/", customers.record_bulk, extra, name=f"{kind}_bulk"),
        path("export.<str:file_format>", customers.record_export, extra, name=f"{kind}_export"),
        path("views/", customers.saved_view_create, extra, name=f"{kind}_view_create"),
        path("views/<int:pk>/", customers.saved_view_update, extra, name=f"{kind}_view_update"),
        path("views/<int:pk>/delete/", customers.saved_view_delete, extra, name=f"{kind}_view_delete"),
        path("<int:pk>/", records.record_detail, extra, name=f"{kind}_detail"),
        path("<int:pk>/profile/<slug:section>/", records.profile_section, extra, name=f"{kind}_profile"),
        path("<int:pk>/profile/<slug:section>/edit/", records.profile_section_edit, extra, name=f"{kind}_profile_edit"),
        path("<int:pk>/timeline/", record_activity.record_timeline, extra, name=f"{kind}_timeline"),
        path("<int:pk>/log/<slug:what>/", record_activity.record_log, extra, name=f"{kind}_log"),
        path("<int:pk>/tasks/<int:task_pk>/complete/", record_activity.record_task_complete, extra, name=f"{kind}_task_complete"),
        path("<int:pk>/panels/<slug:key>/", record_activity.record_panel, extra, name=f"{kind}_panel"),
    ]


import_urls: list[URLPattern | URLResolver] = [
    path("", imports.import_list, name="import_list"),
    path("new/", imports.import_upload, name="import_upload"),
    path("<int:pk>/", imports.import_detail, name="import_detail"),
    path("<int:pk>/start/", imports.import_start, name="import_start"),
    path("<int:pk>/again/", imports.import_again, name="import_again"),
    path("<int:pk>/undo/", imports.import_undo, name="import_undo"),
    path("<int:pk>/log.csv", imports.import_log, name="import_log"),
    path("<int:pk>/errors.csv", imports.import_error_report, name="import_error_report"),
]

deal_urls: list[URLPattern | URLResolver] = [
    path("", deals.deal_board, name="deal_board"),
    path("list/", deals.deal_list, name="deal_list"),
    path("new/", deals.deal_create, name="deal_create"),
    path("columns/<int:stage_pk>/", deals.deal_column, name="deal_column"),
    path("<int:pk>/", deals.deal_detail, name="deal_detail"),
    path("<int:pk>/move/", deals.deal_move, name="deal_move"),
    path("<int:pk>/category/", forecasts.deal_category, name="deal_category"),
]

forecast_urls: list[URLPattern | URLResolver] = [
    path("", forecasts.forecast_page, name="forecast"),
    path("submit/", forecasts.forecast_submit, name="forecast_submit"),
    path("history/", forecasts.forecast_history, name="forecast_history"),
    path("quotas/", forecasts.quota_settings, name="quota_settings"),
]

workspace_urls: list[URLPattern | URLResolver] = [
    path("", workspaces.workspace_home, name="workspace_home"),
    path("search", workspaces.search, name="search"),
    path("tasks/", activities.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/toggle/", activities.my_task_toggle, name="my_task_toggle"),
    path("notifications/", activities.notifications, name="notifications"),
    path("notifications/read/", activities.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/read/", activities.notification_read, name="notification_read"),
    path("notifications/bell/", activities.notifications_bell, name="notifications_bell"),
    path("contacts/", include(record_urls("contact"))),
    path("accounts/", include(record_urls("account"))),
    path("settings/", include(settings_urls)),
    path("imports/", include(import_urls)),
    path("deals/", include(deal_urls)),
    path("forecast/", include(forecast_urls)),
    path("performance/", forecasts.performance_page, name="performance"),
]

urlpatterns = [
    path("", workspaces.home, name="home"),
    path("login", auth.LoginView.as_view(), name="login"),
    path("logout", auth.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("workspaces/new/", workspaces.workspace_create, name="workspace_create"),
    path("w/<slug:slug>/", include(workspace_urls)),
]
