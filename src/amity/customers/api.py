"""The API of accounts, contacts and custom fields: both record types share one set of routes, built once."""

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from ninja import Field, Query, Router, Schema, Status

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate, rows_response
from amity.api.problems import django_errors, problem
from amity.core import custom_fields
from amity.core.access import hidden_fields, without_hidden
from amity.core.custom_field_queries import ANY_OF_SEPARATOR
from amity.core.selectors import member_or_none
from amity.customers import merging, selectors, services
from amity.customers.dedupe.api import duplicates_problem
from amity.customers.dedupe.schemas import DuplicatesProblemOut
from amity.customers.dedupe.services import DuplicatesFound
from amity.customers.models import Account, Contact
from amity.customers.schemas import (
    AccountBulkItem,
    AccountIn,
    AccountOut,
    AccountPatch,
    BulkAssignIn,
    BulkIds,
    BulkResultOut,
    BulkTagIn,
    ConsentEventOut,
    ConsentIn,
    ConsentOut,
    ContactBulkItem,
    ContactIn,
    ContactOut,
    ContactPatch,
    FieldDefinitionIn,
    FieldDefinitionOut,
    FieldDefinitionPatch,
    SavedViewIn,
    SavedViewOut,
    SavedViewPatch,
    account_row,
    contact_row,
)

router = Router()


class CustomerFilterIn(Schema):
    sort: str | None = Field(
        None,
        description=(
            "name, created_at, updated_at (contacts: also email), or custom.<key> for a sortable custom field; "
            "put - first for descending (default -created_at). Records without a value for a custom field come last."
        ),
    )
    owner_id: int | None = None
    team_id: int | None = None
    lifecycle_stage: str | None = None
    source: str | None = None
    tag: str | None = None
    external_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    deleted: bool = False


class ContactFilterIn(CustomerFilterIn):
    account_id: int | None = None
    email: str | None = None


class AccountFilterIn(CustomerFilterIn):
    domain: str | None = None


def _custom_filters(request: HttpRequest) -> dict[str, str]:
    """`?custom.tier=gold`, `?custom.seats__gte=10`, …: filters on custom fields; a parameter given twice means any of its values."""
    return {
        key.removeprefix("custom."): ANY_OF_SEPARATOR.join(value for value in values if value)
        for key, values in request.GET.lists()
        if key.startswith("custom.") and any(values)
    }


def _payload(payload: Schema) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    if "account_ids" in data:
        ids = data.pop("account_ids") or []
        data.setdefault("accounts", [{"account_id": account_id} for account_id in ids])
    return data


@dataclass(frozen=True)
class RecordRoutes:
    """One record type's routes: its model, schemas, sorts and the selector that lists it."""

    model: type[Account] | type[Contact]
    path: str
    tag: str
    out: type[Schema]
    create_in: type[Schema]
    patch_in: type[Schema]
    bulk_item: type[Schema]
    filter_in: type[Schema]
    object_type: str
    lister: Callable[..., Any]
    list_details: Callable[[Sequence[Any]], selectors.ListedDetails]
    row: Callable[[Any, selectors.ListedDetails], dict[str, Any]]
    getter: Callable[..., Any]
    creator: Callable[..., Any]

    def shown(self, actor: Any, workspace: Any, records: list[Any], *, status: int = 200, many: bool = False) -> Any:
        """The records as the schema gives them (one, or `{"items": [...]}` when `many`).

        For a role kept from some fields, they are taken out and the body is sent as it is: ninja would refuse a
        body without a field its schema requires, and the schema says these may be missing.
        """
        hidden = hidden_fields(actor, workspace, self.object_type)
        if not hidden:
            body = {"items": records} if many else records[0]
            return Status(status, body) if status != 200 else body
        shaped = [without_hidden(self.out.from_orm(record).model_dump(mode="json"), hidden) for record in records]
        return JsonResponse({"items": shaped} if many else shaped[0], status=status)

    def install(self, router: Router) -> None:
        self._bulk(router)  # before /{id}, so that "bulk" is never taken for an id
        self._reads(router)
        self._writes(router)

    def _reads(self, router: Router) -> None:
        spec = self
        id_path = f"/{self.path}/{{{self.model._meta.model_name}_id}}"

        @router.get(f"/{self.path}", response=page_of(self.out), tags=[self.tag], operation_id=f"list_{self.path}")
        def list_records(request: HttpRequest, page: Query[PageParams], filters: Query[spec.filter_in]) -> Any:  # type: ignore[name-defined]
            actor, workspace = actor_and_workspace(request)
            values = filters.model_dump(exclude={"sort"})
            records = spec.lister(
                actor=actor, workspace=workspace, filters=selectors.CustomerFilter(**values, custom=_custom_filters(request))
            )
            ordering = selectors.record_ordering_for(
                actor=actor, workspace=workspace, object_type=spec.object_type, sort=filters.sort or "-created_at"
            )
            listed = paginate(records.prefetch_related(None), ordering=ordering, cursor=page.cursor, limit=page.limit)
            details = spec.list_details(listed.items)
            hidden = hidden_fields(actor, workspace, spec.object_type)
            return rows_response([without_hidden(spec.row(record, details), hidden) for record in listed.items], listed.next_cursor)

        def get_record(request: HttpRequest, record_id: int) -> Any:
            actor, workspace = actor_and_workspace(request)
            try:
                return spec.shown(actor, workspace, [spec.getter(actor=actor, workspace=workspace, pk=record_id)])
            except Http404:
                # An id merged into another record resolves to the one that stayed.
                survivor = merging.resolve_id(spec.model, workspace.pk, record_id)
                if survivor is None:
                    raise
                return HttpResponsePermanentRedirect(f"{request.path.rstrip('/').rsplit('/', 1)[0]}/{survivor}")

        router.get(id_path, response=self.out, tags=[self.tag], operation_id=f"get_{self.path}")(self._named(get_record))
        del list_records

    def _writes(self, router: Router) -> None:
        spec = self
        name = self.model._meta.model_name
        id_path = f"/{self.path}/{{{name}_id}}"

        @router.post(
            f"/{self.path}",
            response={201: self.out, 409: DuplicatesProblemOut},
            tags=[self.tag],
            operation_id=f"create_{self.path}",
            description=(
                f"Refused with 409 and the likely duplicates (`candidates`) when the {name} probably exists already; "
                "send `?allow_duplicates=true` to create it anyway."
            ),
        )
        def create_record(request: HttpRequest, payload: spec.create_in, allow_duplicates: bool = False) -> Any:  # type: ignore[name-defined]
            actor, workspace = actor_and_workspace(request)
            try:
                record = spec.creator(actor=actor, workspace=workspace, data=_payload(payload), allow_duplicates=allow_duplicates)
            except DuplicatesFound as found:
                return duplicates_problem(workspace, found)
            return spec.shown(actor, workspace, [spec.getter(actor=actor, workspace=workspace, pk=record.pk)], status=201)

        def update_record(request: HttpRequest, record_id: int, payload: spec.patch_in) -> Any:  # type: ignore[name-defined]
            actor, workspace = actor_and_workspace(request)
            record = spec.getter(actor=actor, workspace=workspace, pk=record_id)
            services.record_update(actor=actor, record=record, data=_payload(payload))
            return spec.shown(actor, workspace, [spec.getter(actor=actor, workspace=workspace, pk=record.pk)])

        def delete_record(request: HttpRequest, record_id: int) -> Any:
            actor, workspace = actor_and_workspace(request)
            services.record_soft_delete(actor=actor, record=spec.getter(actor=actor, workspace=workspace, pk=record_id))
            return Status(204, None)

        def restore_record(request: HttpRequest, record_id: int) -> Any:
            actor, workspace = actor_and_workspace(request)
            record = spec.getter(actor=actor, workspace=workspace, pk=record_id, include_deleted=True)
            try:
                services.record_restore(actor=actor, record=record)
            except services.ErasedContact as erased:
                return problem(409, " ".join(erased.messages), errors=django_errors(erased))
            return spec.shown(actor, workspace, [spec.getter(actor=actor, workspace=workspace, pk=record.pk)])

        router.patch(id_path, response=self.out, tags=[self.tag], operation_id=f"update_{self.path}")(self._named(update_record))
        router.delete(
            id_path, response={204: None}, tags=[self.tag], operation_id=f"delete_{self.path}", summary="Move to the bin (recoverable)"
        )(self._named(delete_record))
        router.post(
            f"{id_path}/restore",
            response=self.out,
            tags=[self.tag],
            operation_id=f"restore_{self.path}",
            description="Bring a record back from the bin. A contact erased at the data subject's request is refused with 409.",
        )(self._named(restore_record))
        del create_record

    def _named(self, view: Callable[..., Any]) -> Callable[..., Any]:
        """The view with its `record_id` parameter renamed `contact_id` / `account_id`, as the URL and the spec say."""
        path_name = f"{self.model._meta.model_name}_id"
        signature = inspect.signature(view)
        parameters = [
            parameter.replace(name=path_name) if parameter.name == "record_id" else parameter for parameter in signature.parameters.values()
        ]

        @functools.wraps(view)
        def named(request: HttpRequest, **kwargs: Any) -> Any:
            kwargs["record_id"] = kwargs.pop(path_name)
            return view(request, **kwargs)

        named.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        named.__name__ = f"{view.__name__}_{self.model._meta.model_name}"
        return named

    def _bulk(self, router: Router) -> None:
        spec = self
        items_schema = type(f"{self.model.__name__}BulkIn", (Schema,), {"__annotations__": {"items": list[self.bulk_item]}})  # type: ignore[name-defined]
        out_schema = type(f"{self.model.__name__}BulkOut", (Schema,), {"__annotations__": {"items": list[self.out]}})  # type: ignore[name-defined]

        @router.post(
            f"/{self.path}/bulk",
            response=out_schema,
            tags=[self.tag],
            operation_id=f"bulk_save_{self.path}",
            summary="Create or update up to 1,000 at once, all or nothing",
        )
        def bulk_save(request: HttpRequest, payload: items_schema) -> Any:  # type: ignore[valid-type]
            actor, workspace = actor_and_workspace(request)
            rows = [_payload(item) | ({"id": item.id} if item.id else {}) for item in payload.items]  # type: ignore[attr-defined]
            saved = services.bulk_save(actor=actor, workspace=workspace, model=spec.model, rows=rows)
            records = spec.lister(actor=actor, workspace=workspace).filter(pk__in=[record.pk for record in saved]).in_bulk()
            return spec.shown(actor, workspace, [records[record.pk] for record in saved], many=True)

        @router.post(f"/{self.path}/bulk-assign", response=BulkResultOut, tags=[self.tag], operation_id=f"bulk_assign_{self.path}")
        def bulk_assign(request: HttpRequest, payload: BulkAssignIn) -> Any:
            actor, workspace = actor_and_workspace(request)
            records = selectors.records_by_ids(actor=actor, workspace=workspace, model=spec.model, ids=payload.ids)
            owner = member_or_none(workspace=workspace, user_id=payload.owner_id)
            return {"updated": services.bulk_assign_owner(actor=actor, records=records, owner=owner)}

        @router.post(f"/{self.path}/bulk-tag", response=BulkResultOut, tags=[self.tag], operation_id=f"bulk_tag_{self.path}")
        def bulk_tag(request: HttpRequest, payload: BulkTagIn) -> Any:
            actor, workspace = actor_and_workspace(request)
            records = selectors.records_by_ids(actor=actor, workspace=workspace, model=spec.model, ids=payload.ids)
            return {"updated": services.bulk_tag(actor=actor, records=records, add=payload.tags)}

        @router.post(f"/{self.path}/bulk-delete", response=BulkResultOut, tags=[self.tag], operation_id=f"bulk_delete_{self.path}")
        def bulk_delete(request: HttpRequest, payload: BulkIds) -> Any:
            actor, workspace = actor_and_workspace(request)
            records = selectors.records_by_ids(actor=actor, workspace=workspace, model=spec.model, ids=payload.ids)
            return {"updated": services.bulk_soft_delete(actor=actor, records=records)}

        del bulk_save, bulk_assign, bulk_tag, bulk_delete


RecordRoutes(
    model=Contact,
    path="contacts",
    tag="contacts",
    out=ContactOut,
    create_in=ContactIn,
    patch_in=ContactPatch,
    bulk_item=ContactBulkItem,
    filter_in=ContactFilterIn,
    object_type="contact",
    lister=selectors.contact_list,
    list_details=selectors.contact_list_details,
    row=contact_row,
    getter=selectors.contact_get,
    creator=services.contact_create,
).install(router)
RecordRoutes(
    model=Account,
    path="accounts",
    tag="accounts",
    out=AccountOut,
    create_in=AccountIn,
    patch_in=AccountPatch,
    bulk_item=AccountBulkItem,
    filter_in=AccountFilterIn,
    object_type="account",
    lister=selectors.account_list,
    list_details=selectors.account_list_details,
    row=account_row,
    getter=selectors.account_get,
    creator=services.account_create,
).install(router)


# --- Consent ----------------------------------------------------------------------------------------

CONSENT_EVENTS_SHOWN = 200


@router.get("/contacts/{contact_id}/consent", response=ConsentOut, tags=["contacts"])
def get_consent(request: HttpRequest, contact_id: int) -> Any:
    """What the person agreed to now, per channel and purpose, and the log of every grant and withdrawal."""
    actor, workspace = actor_and_workspace(request)
    contact = selectors.contact_get(actor=actor, workspace=workspace, pk=contact_id)
    events = selectors.consent_events(contact=contact, limit=CONSENT_EVENTS_SHOWN)
    return {"current": selectors.current_consent(contact), "events": events}


@router.post("/contacts/{contact_id}/consent", response={201: ConsentEventOut}, tags=["contacts"])
def record_consent(request: HttpRequest, contact_id: int, payload: ConsentIn) -> Any:
    """Record a grant or a withdrawal of consent; the log keeps every event, the latest one holds."""
    actor, workspace = actor_and_workspace(request)
    contact = selectors.contact_get(actor=actor, workspace=workspace, pk=contact_id)
    return Status(201, services.consent_record(actor=actor, contact=contact, **payload.model_dump()))


# --- Custom field definitions ---------------------------------------------------------------------


@router.get("/custom-fields", response=page_of(FieldDefinitionOut), tags=["custom fields"])
def list_custom_fields(request: HttpRequest, page: Query[PageParams], object_type: str | None = None) -> Any:
    actor, workspace = actor_and_workspace(request)
    definitions = selectors.field_definition_list(actor=actor, workspace=workspace, object_type=object_type, include_archived=True)
    return paginate(definitions, ordering=("object_type", "position", "id"), cursor=page.cursor, limit=page.limit)


@router.post("/custom-fields", response={201: FieldDefinitionOut}, tags=["custom fields"])
def create_custom_field(request: HttpRequest, payload: FieldDefinitionIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, custom_fields.field_definition_save(actor=actor, workspace=workspace, data=payload.model_dump()))


@router.get("/custom-fields/{field_id}", response=FieldDefinitionOut, tags=["custom fields"])
def get_custom_field(request: HttpRequest, field_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.field_definition_get(actor=actor, workspace=workspace, pk=field_id)


@router.patch("/custom-fields/{field_id}", response=FieldDefinitionOut, tags=["custom fields"])
def update_custom_field(request: HttpRequest, field_id: int, payload: FieldDefinitionPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    definition = selectors.field_definition_get(actor=actor, workspace=workspace, pk=field_id)
    return custom_fields.field_definition_save(
        actor=actor, workspace=workspace, data=payload.model_dump(exclude_unset=True), definition=definition
    )


@router.delete("/custom-fields/{field_id}", response={204: None}, tags=["custom fields"])
def delete_custom_field(request: HttpRequest, field_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    definition = selectors.field_definition_get(actor=actor, workspace=workspace, pk=field_id)
    custom_fields.field_definition_delete(actor=actor, workspace=workspace, definition=definition)
    return Status(204, None)


# --- Saved views of the lists -------------------------------------------------------------------------


@router.get("/saved-views", response=page_of(SavedViewOut), tags=["saved views"])
def list_saved_views(request: HttpRequest, page: Query[PageParams], object_type: str | None = None) -> Any:
    """Your views and those shared with the workspace."""
    actor, workspace = actor_and_workspace(request)
    views = selectors.saved_view_list(actor=actor, workspace=workspace, object_type=object_type)
    return paginate(views, ordering=("name", "id"), cursor=page.cursor, limit=page.limit)


@router.post("/saved-views", response={201: SavedViewOut}, tags=["saved views"])
def create_saved_view(request: HttpRequest, payload: SavedViewIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.saved_view_create(actor=actor, workspace=workspace, data=payload.model_dump()))


@router.get("/saved-views/{view_id}", response=SavedViewOut, tags=["saved views"])
def get_saved_view(request: HttpRequest, view_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.saved_view_get(actor=actor, workspace=workspace, pk=view_id)


@router.patch("/saved-views/{view_id}", response=SavedViewOut, tags=["saved views"])
def update_saved_view(request: HttpRequest, view_id: int, payload: SavedViewPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    view = selectors.saved_view_get(actor=actor, workspace=workspace, pk=view_id)
    return services.saved_view_update(actor=actor, view=view, data=payload.model_dump(exclude_unset=True))


@router.delete("/saved-views/{view_id}", response={204: None}, tags=["saved views"])
def delete_saved_view(request: HttpRequest, view_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.saved_view_delete(actor=actor, view=selectors.saved_view_get(actor=actor, workspace=workspace, pk=view_id))
    return Status(204, None)
