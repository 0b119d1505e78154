from django.contrib import admin
from django.urls import include, path, re_path

from amity.api.main import api
from amity.api.problems import not_found_view
from amity.core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", not_found_view),
    path("admin/", admin.site.urls),
    path("", include("amity.web.urls")),
]
