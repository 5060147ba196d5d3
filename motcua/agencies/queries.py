"""Reads of the organisation tree that more than one caller needs."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.agencies.models import Agency


def subtree(agency: Agency) -> QuerySet[Agency]:
    """The agency and all its descendants, in tree order."""
    if not agency.path:  # unsaved: an empty prefix would match the whole tree
        return Agency.objects.none()
    return Agency.objects.filter(path__startswith=agency.path)


def subtree_ids(agency: Agency) -> set[int]:
    return set(subtree(agency).values_list("pk", flat=True))


def agency_by_code(code: str) -> Agency | None:
    return Agency.objects.filter(code=code).first()
