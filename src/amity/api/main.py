"""The REST API at /api/v1: one NinjaAPI, each app's router mounted on it, errors as problem details."""

from __future__ import annotations

from ninja import NinjaAPI

from amity.activities.api import router as activities_router
from amity.api import problems
from amity.api.auth import TokenAuth
from amity.catalog.api import router as catalog_router
from amity.core.api import router as core_router
from amity.customers.api import router as customers_router
from amity.customers.dedupe.api import router as duplicates_router
from amity.customers.privacy.api import router as privacy_router
from amity.imports.api import router as imports_router
from amity.orders.api import router as orders_router
from amity.sales.api import router as sales_router
from amity.sales.api.currencies import router as currencies_router
from amity.sales.api.forecasts import router as forecasts_router
from amity.sales.api.leads import router as leads_router
from amity.sales.api.quotes import router as quotes_router
from amity.search.api import router as search_router
from amity.service.api import router as service_router
from amity.service.kb.api import router as kb_router
from amity.service.portal.api import portal_admin_router, portal_router, returns_router
from amity.service.surveys_api import router as surveys_router

api = NinjaAPI(
    title="Amity API",
    version="1.0.0",
    description=(
        "The Amity CRM API. Authenticate with `Authorization: Bearer <token>`; create a token under "
        "Settings → API tokens or with `amity token create`. Lists are cursor-paginated: pass the "
        "`next_cursor` of one page as `cursor` to get the next. Errors are RFC 9457 problem details. "
        "POSTs honour an `Idempotency-Key` header."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
problems.install(api)
api.add_router("", core_router)
api.add_router("", customers_router)
api.add_router("", duplicates_router)
api.add_router("", privacy_router)
api.add_router("", imports_router)
api.add_router("", search_router)
api.add_router("", activities_router)
api.add_router("", catalog_router)
api.add_router("", sales_router)
api.add_router("", leads_router)
api.add_router("", quotes_router)
api.add_router("", orders_router)
api.add_router("", forecasts_router)
api.add_router("", currencies_router)
api.add_router("", service_router)
api.add_router("", returns_router)
api.add_router("", portal_router)
api.add_router("", portal_admin_router)
api.add_router("", kb_router)
api.add_router("", surveys_router)
