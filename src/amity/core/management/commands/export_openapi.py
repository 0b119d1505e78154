"""Print the API's OpenAPI document, as committed in docs/openapi.json (`make openapi`)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from amity.api.main import api


def openapi_document() -> str:
    return json.dumps(api.get_openapi_schema(path_prefix="/api/v1"), indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Print the OpenAPI document of /api/v1."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(openapi_document(), ending="")
