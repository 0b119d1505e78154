from django.urls import URLPattern, URLResolver, include, path

from amity.web.views import (
    activities,
    alerts,
    auth,
    case_reports,
    cases,
    catalog,
    custom_fields,
    customers,
    deal_parts,
    deal_views,
    deals,
    entry_edit,
    forecasts,
    imports,
    invitations,
    lead_settings,
    leads,
    orders,
    portal,
    privacy,
    profile,
    quotes,
    record_activity,
    records,
    service_settings,
    settings,
    surveys,
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
    path("lead-scoring/", lead_settings.settings_lead_scoring, name="settings_lead_scoring"),
    path("lead-scoring/<int:pk>/", lead_settings.settings_lead_scoring_rule, name="settings_lead_scoring_rule"),
    path("lead-scoring/rescore/", lead_settings.settings_lead_rescore, name="settings_lead_rescore"),
    path("lead-scoring/progress/", lead_settings.settings_lead_rescore_progress, name="settings_lead_rescore_progress"),
    path("lead-assignment/", lead_settings.settings_lead_assignment, name="settings_lead_assignment"),
    path("lead-assignment/<int:pk>/", lead_settings.settings_lead_assignment_rule, name="settings_lead_assignment_rule"),
    path("web-forms/", lead_settings.settings_web_forms, name="settings_web_forms"),
    path("web-forms/new/", lead_settings.settings_web_form_create, name="settings_web_form_create"),
    path("web-forms/<int:pk>/", lead_settings.settings_web_form_edit, name="settings_web_form_edit"),
    path("web-forms/<int:pk>/delete/", lead_settings.settings_web_form_delete, name="settings_web_form_delete"),
    path("case-routing/", service_settings.settings_case_routing, name="settings_case_routing"),
    path("case-routing/<int:pk>/", service_settings.settings_case_routing_rule, name="settings_case_routing_rule"),
    path("case-routing/agents/<int:user_id>/", service_settings.settings_agent, name="settings_agent"),
    path("service-desk/", service_settings.settings_service_desk, name="settings_service_desk"),
    path("service-levels/", service_settings.settings_service_levels, name="settings_service_levels"),
    path("replies/", service_settings.settings_replies, name="settings_replies"),
    path("privacy/", privacy.privacy_requests, name="privacy_requests"),
    path("privacy/erasures/<int:pk>/", privacy.erasure_row, name="privacy_erasure_row"),
    path("retention/", privacy.retention_rules, name="retention_rules"),
    path("retention/<int:pk>/", privacy.retention_rule, name="retention_rule"),
    path("retention/runs/<int:pk>/", privacy.retention_run_row, name="retention_run_row"),
    path("alerts/", alerts.settings_alerts, name="settings_alerts"),
    path("alerts/<int:pk>/", alerts.settings_alert_update, name="settings_alert_update"),
    path("profile/", profile.profile, name="profile"),
    path("notifications/", alerts.notification_preferences, name="notification_preferences"),
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
    path("list/export.<str:file_format>", deal_views.deal_export, name="deal_export"),
    path("views/", deal_views.deal_view_create, name="deal_view_create"),
    path("views/<int:pk>/", deal_views.deal_view_update, name="deal_view_update"),
    path("views/<int:pk>/delete/", deal_views.deal_view_delete, name="deal_view_delete"),
    path("new/", deals.deal_create, name="deal_create"),
    path("columns/<int:stage_pk>/", deals.deal_column, name="deal_column"),
    path("<int:pk>/", deals.deal_detail, name="deal_detail"),
    path("<int:pk>/move/", deals.deal_move, name="deal_move"),
    path("<int:pk>/edit/", deal_parts.deal_edit, name="deal_edit"),
    path("<int:pk>/lines/", deal_parts.deal_line_add, name="deal_line_add"),
    path("<int:pk>/lines/<int:line_pk>/", deal_parts.deal_line_edit, name="deal_line_edit"),
    path("<int:pk>/lines/<int:line_pk>/remove/", deal_parts.deal_line_remove, name="deal_line_remove"),
    path("<int:pk>/people/", deal_parts.deal_contact_add, name="deal_contact_add"),
    path("<int:pk>/people/<int:contact_pk>/", deal_parts.deal_contact_edit, name="deal_contact_edit"),
    path("<int:pk>/people/<int:contact_pk>/remove/", deal_parts.deal_contact_remove, name="deal_contact_remove"),
    path("<int:pk>/category/", forecasts.deal_category, name="deal_category"),
]

product_urls: list[URLPattern | URLResolver] = [
    path("", catalog.product_list, name="product_list"),
    path("new/", catalog.product_create, name="product_create"),
    path("<int:pk>/", catalog.product_detail, name="product_detail"),
]

price_book_urls: list[URLPattern | URLResolver] = [
    path("", catalog.price_book_list, name="price_book_list"),
    path("new/", catalog.price_book_create, name="price_book_create"),
    path("<int:pk>/", catalog.price_book_detail, name="price_book_detail"),
    path("<int:pk>/edit/", catalog.price_book_edit, name="price_book_edit"),
    path("<int:pk>/entries/", catalog.price_book_entry_set, name="price_book_entry_set"),
    path("<int:pk>/entries/<int:product_pk>/remove/", catalog.price_book_entry_remove, name="price_book_entry_remove"),
]

forecast_urls: list[URLPattern | URLResolver] = [
    path("", forecasts.forecast_page, name="forecast"),
    path("submit/", forecasts.forecast_submit, name="forecast_submit"),
    path("history/", forecasts.forecast_history, name="forecast_history"),
    path("quotas/", forecasts.quota_settings, name="quota_settings"),
]

lead_urls: list[URLPattern | URLResolver] = [
    path("", leads.lead_list, name="lead_list"),
    path("new/", leads.lead_create, name="lead_create"),
    path("<int:pk>/", leads.lead_detail, name="lead_detail"),
    path("<int:pk>/edit/", leads.lead_edit, name="lead_edit"),
    path("<int:pk>/convert/", leads.lead_convert, name="lead_convert"),
    path("<int:pk>/timeline/", leads.lead_timeline, name="lead_timeline"),
    path("<int:pk>/log/<slug:what>/", leads.lead_log, name="lead_log"),
    path("<int:pk>/panels/<slug:key>/", leads.lead_panel, name="lead_panel"),
]

quote_urls: list[URLPattern | URLResolver] = [
    path("", quotes.quote_list, name="quote_list"),
    path("from-deal/<int:deal_pk>/", quotes.quote_create_from_deal, name="quote_create_from_deal"),
    path("<int:pk>/", quotes.quote_detail, name="quote_detail"),
    path("<int:pk>/edit/", quotes.quote_edit, name="quote_edit"),
    path("<int:pk>/pdf/", quotes.quote_pdf_view, name="quote_pdf"),
    path("<int:pk>/send/", quotes.quote_send, name="quote_send"),
    path("<int:pk>/revise/", quotes.quote_revise, name="quote_revise"),
    path("<int:pk>/delete/", quotes.quote_delete, name="quote_delete"),
]

order_urls: list[URLPattern | URLResolver] = [
    path("", orders.order_list, name="order_list"),
    path("<int:pk>/", orders.order_detail, name="order_detail"),
    path("<int:pk>/fulfil/", orders.order_fulfil, name="order_fulfil"),
    path("<int:pk>/cancel/", orders.order_cancel, name="order_cancel"),
    path("<int:pk>/invoice/", orders.order_invoice, name="order_invoice"),
]

invoice_urls: list[URLPattern | URLResolver] = [
    path("", orders.invoice_list, name="invoice_list"),
    path("<int:pk>/", orders.invoice_detail, name="invoice_detail"),
    path("<int:pk>/pdf/", orders.invoice_pdf_view, name="invoice_pdf"),
    path("<int:pk>/send/", orders.invoice_send, name="invoice_send"),
    path("<int:pk>/void/", orders.invoice_void, name="invoice_void"),
    path("<int:pk>/pay/", orders.invoice_pay, name="invoice_pay"),
]

# The customers' portal: a contact's own pages, signed in by an emailed link (see amity.web.views.portal).
portal_urls: list[URLPattern | URLResolver] = [
    path("", portal.portal_home, name="portal_home"),
    path("brand.css", portal.portal_brand_css, name="portal_brand_css"),
    path("sign-in/", portal.portal_sign_in, name="portal_sign_in"),
    path("sign-in/<str:token>/", portal.portal_sign_in_link, name="portal_sign_in_link"),
    path("sign-out/", portal.portal_sign_out, name="portal_sign_out"),
    path("orders/", portal.portal_orders, name="portal_orders"),
    path("orders/<int:pk>/", portal.portal_order, name="portal_order"),
    path("orders/<int:pk>/lines/<int:line_pk>/return/", portal.portal_return, name="portal_return"),
    path("invoices/", portal.portal_invoices, name="portal_invoices"),
    path("invoices/<int:pk>/pdf/", portal.portal_invoice_pdf, name="portal_invoice_pdf"),
    path("cases/", portal.portal_cases, name="portal_cases"),
    path("cases/new/", portal.portal_case_new, name="portal_case_new"),
    path("cases/<int:pk>/", portal.portal_case, name="portal_case"),
    path("profile/", portal.portal_profile, name="portal_profile"),
    path("help/", portal.portal_help, name="portal_help"),
    path("help/<slug:article_slug>/", portal.portal_article, name="portal_article"),
]

case_urls: list[URLPattern | URLResolver] = [
    path("", cases.case_queue, name="case_queue"),
    path("live/", cases.case_queue_live, name="case_queue_live"),
    path("report/", case_reports.case_report, name="case_report"),
    path("new/", cases.case_create, name="case_create"),
    path("<int:pk>/", cases.case_detail, name="case_detail"),
    path("<int:pk>/reply/", cases.case_reply, name="case_reply"),
    path("<int:pk>/note/", cases.case_note, name="case_note"),
    path("<int:pk>/properties/", cases.case_properties, name="case_properties"),
    path("<int:pk>/macro/", cases.case_macro, name="case_macro"),
    path("<int:pk>/merge/", cases.case_merge, name="case_merge"),
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
    path("notifications/<int:pk>/open/", activities.notification_open, name="notification_open"),
    path("timeline/<slug:kind>/<int:pk>/", entry_edit.timeline_entry, name="timeline_entry"),
    path("timeline/<slug:kind>/<int:pk>/edit/", entry_edit.timeline_entry_edit, name="timeline_entry_edit"),
    path("timeline/<slug:kind>/<int:pk>/delete/", entry_edit.timeline_entry_delete, name="timeline_entry_delete"),
    path("contacts/", include(record_urls("contact"))),
    path("accounts/", include(record_urls("account"))),
    path("settings/", include(settings_urls)),
    path("imports/", include(import_urls)),
    path("deals/", include(deal_urls)),
    path("leads/", include(lead_urls)),
    path("products/", include(product_urls)),
    path("price-books/", include(price_book_urls)),
    path("quotes/", include(quote_urls)),
    path("orders/", include(order_urls)),
    path("invoices/", include(invoice_urls)),
    path("forecast/", include(forecast_urls)),
    path("cases/", include(case_urls)),
    path("contacts/<int:pk>/portal-invite/", portal.portal_invite, name="portal_invite"),
    path("contacts/<int:pk>/personal-data.<str:file_format>", privacy.contact_personal_data, name="contact_personal_data"),
    path("contacts/<int:pk>/erase/", privacy.contact_erase, name="contact_erase"),
    path("contacts/<int:pk>/consent/<int:event_pk>/", privacy.consent_proof, name="consent_proof"),
    path("performance/", forecasts.performance_page, name="performance"),
]

urlpatterns = [
    path("", workspaces.home, name="home"),
    path("login", auth.LoginView.as_view(), name="login"),
    path("survey/<str:signed>/", surveys.survey_page, name="survey_page"),
    path("survey/<str:signed>/<int:score>/", surveys.survey_answer, name="survey_answer"),
    path("logout", auth.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    # A customer's quote, by its unguessable link: read, accept or decline without an account.
    path("q/<str:token>/", quotes.quote_public, name="quote_public"),
    path("q/<str:token>/pdf/", quotes.quote_public_pdf, name="quote_public_pdf"),
    path("workspaces/new/", workspaces.workspace_create, name="workspace_create"),
    path("forms/<str:token>/", lead_settings.lead_form_submit, name="lead_form_submit"),
    path("w/<slug:slug>/", include(workspace_urls)),
    path("portal/<slug:slug>/", include(portal_urls)),
]
