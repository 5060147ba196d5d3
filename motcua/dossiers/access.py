"""The dossiers a user may read, as querysets. Every read of a dossier goes through
these helpers; the rule itself (who sees what) is ``motcua.dossiers.policy``'s."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Lookup, Q, QuerySet

from motcua.dossiers.errors import DossierPermissionDenied
from motcua.dossiers.models import Dossier
from motcua.dossiers.policy import AnyUser, visibility, visible_parts_q, visible_q


class _IdIn(Lookup[int]):
    """``pk IN ids``; on PostgreSQL ``= ANY('{…}'::bigint[])``, the ids written out.

    A few hundred ids (the dossiers a busy desk holds, a list's matches) as ``IN (%s,
    …)`` cost Django and psycopg a placeholder each, in every statement; as one array
    parameter, a prepared statement's generic plan compares each row with every id (a
    constant array is hashed). Written in the statement, the array is a constant: served
    from the primary key index (in a BitmapOr too), hashed when tested row by row. The
    ids are integers (``int()`` each): nothing else can reach the SQL text.
    """

    lookup_name = "id_in"  # never registered: see :func:`pk_in`
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        ids = sorted({int(pk) for pk in self.rhs})
        if not ids:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY('{{{','.join(map(str, ids))}}}'::bigint[])", list(params)
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*params, *ids]


def pk_in(ids: Collection[int]) -> Q:
    """``Q(pk__in=ids)``, a constant array on PostgreSQL (see :class:`_IdIn`)."""
    return Q(_IdIn(F("pk"), list(ids)))


def visible_dossiers(user: AnyUser, *, probe_each_row: bool = False) -> QuerySet[Dossier]:
    """Dossiers the user may read (see :func:`visibility`; ``probe_each_row``: see
    :func:`~motcua.dossiers.policy.visible_q`)."""
    seen = visibility(user)
    if seen.everything:
        return Dossier.objects.all()
    if seen.applicant_id is not None:
        return Dossier.objects.filter(applicant_user_id=seen.applicant_id)
    if not seen.agencies:
        return Dossier.objects.none()
    return Dossier.objects.filter(visible_q(seen.agencies, probe_each_row=probe_each_row))


#: Newest first, as the lists show dossiers.
NEWEST = ("-submitted_at", "-pk")


def visible_values(
    user: AnyUser, where: Q, *fields: str, newest: int | None = None
) -> QuerySet[Dossier, Any]:
    """``values(*fields)`` (default: the id) of the dossiers matching ``where`` the user
    may see: the same rows as ``visible_dossiers(user).filter(where)``, each once.

    For agency-scoped staff, a ``UNION ALL`` of three disjoint parts of
    :func:`~motcua.dossiers.policy.visible_parts_q` — decided by their agencies; received
    there and not decided there; a step held there and neither — each read from its own
    index. Counting it
    with a limit (``ids[:n].count()``) stops at the limit: the parts after the one
    reaching it are not read. As one OR, the step test makes PostgreSQL read the
    agencies' whole history (or misjudge how many rows it will find).

    ``newest=n``: only (at least) the ``n`` newest of them (:data:`NEWEST`), each part
    sorted and cut on its own where the database allows it; order the result by
    :data:`NEWEST` (the fields must include ``submitted_at`` and ``pk``) for a page.
    """
    fields = fields or ("pk",)
    seen = visibility(user)
    if not seen.agencies:
        return visible_dossiers(user).filter(where).order_by().values(*fields)
    parts = [
        Dossier.objects.filter(where, part).order_by().values(*fields)
        for part in visible_parts_q(seen.agencies)
    ]
    if (
        newest is not None
        and connections[parts[0].db].features.supports_slicing_ordering_in_compound
    ):
        parts = [part.order_by(*NEWEST)[:newest] for part in parts]
    first, *others = parts
    return first.union(*others, all=True)


def can_view_dossier(user: AnyUser, dossier: Dossier) -> bool:
    return visible_dossiers(user).filter(pk=dossier.pk).exists()


def access_dossier(user: AnyUser, code: str) -> Dossier:
    """Fetch a dossier by code for ``user`` or raise (404 and 403 look the same outside)."""
    dossier = (
        visible_dossiers(user)
        .select_related("deciding_agency", "intake_agency", "procedure", "current_agency")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise DossierPermissionDenied(
            f"Không tìm thấy hồ sơ '{code}' hoặc bạn không có quyền xem hồ sơ này."
        )
    return dossier
