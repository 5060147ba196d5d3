"""Who may see which dossier. Every read of a dossier goes through these helpers."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Exists, F, Lookup, OuterRef, Q, QuerySet

from motcua.accounts.access import agency_scope_ids
from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.dossiers.errors import DossierPermissionDenied
from motcua.dossiers.models import Dossier, DossierStep

AnyUser = AbstractBaseUser | AnonymousUser | None


def _staff(user: AnyUser) -> User | None:
    if isinstance(user, User) and user.is_active and user.kind == User.Kind.STAFF:
        return user
    return None


@dataclass(frozen=True)
class Visibility:
    """How :func:`visible_dossiers` restricts a user, resolved once.

    Exactly one shape: ``everything`` (superusers, TTHC control), ``agencies`` (other
    staff: the dossiers these agencies decide, received or hold or held a step of),
    ``applicant_id`` (a citizen: their own dossiers), or nothing at all.
    """

    everything: bool = False
    agencies: frozenset[int] = frozenset()
    applicant_id: int | None = None


def visibility(user: AnyUser) -> Visibility:
    """Staff see the dossiers their agency decides, received, or holds (or held) a step of;
    an agency administrator sees those of the agencies below theirs; TTHC-control officers
    and superusers see the whole province. Citizens see their own dossiers."""
    if isinstance(user, User) and user.is_active and user.is_superuser:
        return Visibility(everything=True)
    staff = _staff(user)
    if staff is None:
        if isinstance(user, User) and user.is_active:
            return Visibility(applicant_id=user.pk)
        return Visibility()
    if staff.has_role(Role.TTHC_CONTROL):
        return Visibility(everything=True)
    scope = agency_scope_ids(staff)
    if not scope:
        return Visibility()
    if staff.unit_id is not None:
        # A one-stop unit receives for any agency of the province (Decree 118/2025/NĐ-CP
        # art. 14): what its officers received or hold there is theirs to see.
        scope = scope | {staff.unit_id}
    return Visibility(agencies=frozenset(scope))


def sees(seen: Visibility, dossier: Dossier, step_agency_ids: Iterable[int]) -> bool:
    """Whether ``seen`` includes ``dossier``, whose steps are at ``step_agency_ids``: the
    rule of :func:`visible_dossiers` on a row already read (the tests hold both equal)."""
    if seen.everything:
        return True
    if seen.applicant_id is not None:
        return dossier.applicant_user_id == seen.applicant_id
    agencies = seen.agencies
    return bool(agencies) and (
        dossier.deciding_agency_id in agencies
        or dossier.intake_agency_id in agencies
        or (dossier.spans_agencies and any(agency_id in agencies for agency_id in step_agency_ids))
    )


class _ProbedExists(Exists):
    """``EXISTS (… LIMIT 1 OFFSET 0)``: the ``OFFSET`` keeps PostgreSQL from turning the
    test into a hashed subplan, so it probes the index for each row it reaches."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def agency_visible_q(agencies: Collection[int], *, probe_each_row: bool = False) -> Q:
    """The dossiers ``agencies`` decide, received, or hold (or held) a step of.

    As a filter of its own this reads the agencies' whole history (the step test cannot
    use an index inside the OR); lists that are narrower anyway (a worklist tab) test it
    on their few candidate rows only, see ``motcua.dossiers.queries``.

    ``probe_each_row``: for a walk that stops early (the newest page of a busy agency's
    dossiers), where PostgreSQL would otherwise hash every step the agencies ever held
    (130,000 for a busy commune: 200 ms) to test the few hundred rows it walks (1 ms).
    """
    ids = sorted(agencies)
    # EXISTS, not ``pk IN (…)``: PostgreSQL probes the steps of each candidate row instead
    # of hashing every step the agency ever held (120,000 rows for a busy commune in a
    # year); on a million dossiers the hashed form cost 20 ms per by-code access.
    stepped = DossierStep.objects.filter(dossier_id=OuterRef("pk"), agency_id__in=ids)
    held = _ProbedExists(stepped) if probe_each_row else Exists(stepped)
    # Only a dossier that spans agencies has steps elsewhere than where it is decided and
    # received: the others are not probed.
    return (
        Q(deciding_agency_id__in=ids)
        | Q(intake_agency_id__in=ids)
        | (Q(spans_agencies=True) & Q(held))
    )


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
    :func:`agency_visible_q`)."""
    seen = visibility(user)
    if seen.everything:
        return Dossier.objects.all()
    if seen.applicant_id is not None:
        return Dossier.objects.filter(applicant_user_id=seen.applicant_id)
    if not seen.agencies:
        return Dossier.objects.none()
    return Dossier.objects.filter(agency_visible_q(seen.agencies, probe_each_row=probe_each_row))


#: Newest first, as the lists show dossiers.
NEWEST = ("-submitted_at", "-pk")


def visible_values(
    user: AnyUser, where: Q, *fields: str, newest: int | None = None
) -> QuerySet[Dossier, Any]:
    """``values(*fields)`` (default: the id) of the dossiers matching ``where`` the user
    may see: the same rows as ``visible_dossiers(user).filter(where)``, each once.

    For agency-scoped staff, a ``UNION ALL`` of three disjoint parts of
    :func:`agency_visible_q` — decided by their agencies; received there and not decided
    there; a step held there and neither — each read from its own index. Counting it
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
    ids = sorted(seen.agencies)
    decided = Q(deciding_agency_id__in=ids)
    received = Q(intake_agency_id__in=ids)
    stepped = DossierStep.objects.filter(dossier_id=OuterRef("pk"), agency_id__in=ids)
    parts = [
        Dossier.objects.filter(where, part).order_by().values(*fields)
        for part in (
            decided,
            received & ~decided,
            # Read from the index of the dossiers that span agencies (a few percent).
            Q(spans_agencies=True) & Q(Exists(stepped)) & ~decided & ~received,
        )
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
