"""JSON bodies written directly, as django-ninja would write them from a response schema.

Ninja validates what an operation returns against its response schema, then dumps and
encodes it; on the write paths of the dossier API that validation cost as much as the
rest of building the answer. Where the service layer already builds the body from typed
rows, :func:`schema_json_response` encodes it directly: same encoder, same key order,
times in local time as ``LocalDateTime`` gives them. Each such use has a test comparing
its bytes with the schema's output, so the documented schema stays the truth.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from django.http import HttpResponse
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator

#: What ninja's ``JSONRenderer`` answers with.
JSON_CONTENT_TYPE = "application/json; charset=utf-8"

#: Instants are given in local time (Asia/Ho_Chi_Minh), with their offset.
LocalDateTime = Annotated[datetime, AfterValidator(timezone.localtime)]


class LocalTimeEncoder(NinjaJSONEncoder):
    """Ninja's encoder, with aware times moved to the current time zone first."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            o = timezone.localtime(o)
        return super().default(o)


def schema_json_response(data: Any, status: int = 200) -> HttpResponse:
    body = json.dumps(data, cls=LocalTimeEncoder)
    return HttpResponse(body, status=status, content_type=JSON_CONTENT_TYPE)
