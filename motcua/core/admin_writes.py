"""Admin pages that write only through services.

Django's ``ModelAdmin`` saves the object itself in ``save_model``, its many-to-many fields
and inline rows in ``save_related`` (``save_formset``), and deletes in ``delete_model`` and
``delete_queryset`` (the "delete selected" action too). :class:`ServiceWritesAdmin`
replaces the four: the object with its inline rows to save and to delete goes to one
service call (:meth:`~ServiceWritesAdmin.write`), each deletion to another
(:meth:`~ServiceWritesAdmin.remove`), so the service validates, writes in one transaction
and appends the audit row; the admin writes nothing itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import BaseModelFormSet
from django.http import HttpRequest

M = TypeVar("M", bound=Model)
R = TypeVar("R", bound=Model)


def inline_changes(formsets: list[BaseModelFormSet[Any, Any]]) -> tuple[list[Any], list[Any]]:
    """The inline rows the formsets would save (new or changed) and those they would
    delete, without writing any (``save(commit=False)`` only builds the rows)."""
    rows: list[Any] = []
    deleted: list[Any] = []
    for formset in formsets:
        rows.extend(formset.save(commit=False))
        deleted.extend(formset.deleted_objects)
    return rows, deleted


@dataclass(frozen=True)
class Edit:
    """What the admin's form holds besides the object: the form itself, whether the object
    existed, the inline rows to save (new or changed) and those to delete."""

    form: Any
    change: bool
    rows: list[Any]
    deleted: list[Any]

    def after(self, existing: Iterable[R], model: type[R]) -> list[R]:
        """The inline rows of ``model`` as the edit leaves them: the ``existing`` ones it
        did not touch, then those it adds or changes (not the deleted ones)."""
        touched = {row.pk for row in [*self.rows, *self.deleted] if isinstance(row, model)}
        kept = [row for row in existing if row.pk not in touched]
        return kept + [row for row in self.rows if isinstance(row, model)]


class ServiceWritesAdmin(admin.ModelAdmin[M]):
    """A model admin whose saves and deletions are service calls (see the module)."""

    def write(self, request: HttpRequest, obj: M, edit: Edit) -> None:
        """Save ``obj`` (holding the form's changes, not saved yet) with the inline rows of
        ``edit``, through the app's service. A service that saves another
        instance than ``obj`` sets ``obj.pk`` to it (the admin redirects to ``obj``)."""
        raise NotImplementedError

    def remove(self, request: HttpRequest, obj: M) -> None:
        """Delete ``obj`` through the app's service."""
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: M, form: Any, change: bool) -> None:
        # Nothing yet: ``save_related`` writes the object with its inline rows, in one
        # service call (Django calls it right after, in the same transaction).
        return

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        rows, deleted = inline_changes(list(formsets))
        self.write(request, form.instance, Edit(form, change, rows, deleted))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        raise NotImplementedError("inline rows are written by write(), through a service")

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        self.remove(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[M]) -> None:
        for obj in queryset:
            self.remove(request, obj)
