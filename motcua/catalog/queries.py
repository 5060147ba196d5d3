"""Reads of the procedure catalog shared by the pages, the API and the benchmark.

Search ignores diacritics and case (both sides go through ``rules.search_key``) and works
on both databases:

- SQLite: an FTS5 table (see migration 0002) matched with every query word, the last one
  as a prefix; relevance is ``bm25`` weighted towards the name.
- PostgreSQL: the folded, space-padded ``search_text`` column, one ``LIKE '% word %'`` per
  query word (the last as a prefix), which a pg_trgm GIN index can serve; relevance counts
  the query words found in the name, then trigram ``similarity`` between the query and the
  folded name reorders the best rows (it favours names close to the query as a whole;
  ``word_similarity`` would add little over the phrase boost below).

Both add the same boosts on top: the name equal to the query (with or without the leading
"Thủ tục"), the query as a phrase in the name, the name starting with the query; ties go
to the shorter name. When no procedure has every word, procedures with any of them are
listed instead. A query that looks like a procedure code lists the codes starting with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Window,
)
from django.db.models.expressions import RawSQL

from motcua.agencies.models import Agency
from motcua.catalog import rules
from motcua.catalog.models import Field, Level, OnlineLevel, Procedure, ProcedureOffering
from motcua.worktime.queries import calendar_for
from motcua.worktime.rules import due_after

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

# Boosts added to the text relevance; they outweigh its usual spread between two matches
# (a few points), so a phrase or exact name match wins over word counts.
BOOST_NAME_EXACT = 100
BOOST_NAME_PHRASE = 20
BOOST_NAME_PREFIX = 10
BOOST_TERM = 5  # per query word found, when only some words matched


class InvalidFilter(ValueError):
    """A filter value that names nothing (unknown level, field, agency …)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class _Sql:
    text: str
    params: list[Any]


def _active_offering_at(agency_code: str) -> Exists:
    return Exists(
        ProcedureOffering.objects.filter(
            procedure=OuterRef("pk"), agency__code=agency_code, is_active=True
        )
    )


def filtered_procedures(
    *,
    field: Field | str | None = None,
    level: str | None = None,
    agency: Agency | str | None = None,
    online_level: str | None = None,
) -> QuerySet[Procedure]:
    """Procedures in force, narrowed by the filters (no text search, no ordering)."""
    queryset = Procedure.objects.filter(status=Procedure.Status.IN_FORCE)
    if field:
        if isinstance(field, Field):
            queryset = queryset.filter(field=field)
        else:
            queryset = queryset.filter(field__slug=field)
    if level:
        if level not in Level.values:
            raise InvalidFilter("level", f"Cấp thực hiện '{level}' không hợp lệ.")
        queryset = queryset.filter(**{f"level_{level}": True})
    if agency:
        code = agency.code if isinstance(agency, Agency) else agency
        queryset = queryset.filter(_active_offering_at(code))
    if online_level:
        if online_level not in OnlineLevel.values:
            raise InvalidFilter("online_level", f"Mức độ trực tuyến '{online_level}' không hợp lệ.")
        queryset = queryset.filter(online_level=online_level)
    return queryset


@dataclass(frozen=True)
class CatalogPage:
    """One page of a catalog search. ``partial``: no procedure has every word of the
    query, so these have some of them (best first)."""

    items: list[Procedure]
    total: int
    partial: bool = False


def search_procedures(q: str | None = "", **filters: Any) -> tuple[list[Procedure], int]:
    """One page of procedures and the total: :func:`search_catalog` (same arguments)
    without the partial-match flag."""
    page = search_catalog(q, **filters)
    return page.items, page.total


def search_catalog(
    q: str | None = "",
    *,
    field: Field | str | None = None,
    level: str | None = None,
    agency: Agency | str | None = None,
    online_level: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> CatalogPage:
    """One page of procedures matching ``q`` and the filters, best first, and the total.

    ``field`` is a Field or its slug, ``agency`` an Agency or its code (procedures it
    actively offers). A code or the start of one (``1.001193``, ``1.0011``) lists the
    procedures whose code starts with it. An empty query lists everything by name. Words
    match whole (abbreviations spelt out, ``rules.query_terms``); when no procedure has
    them all, those with some of them come back, marked ``partial``.
    Results come with their field and channels loaded.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    base = filtered_procedures(field=field, level=level, agency=agency, online_level=online_level)
    if rules.looks_like_code(q):
        # Codes sort with the exact one first.
        matches = base.filter(code__startswith=(q or "").strip())
        return CatalogPage(*_page_with_total(matches.order_by("code"), limit=limit, offset=offset))
    terms = rules.query_terms(q)
    if not terms:
        ordered = base.order_by("search_name", "code")
        return CatalogPage(*_page_with_total(ordered, limit=limit, offset=offset))

    partial = False
    ids, total = _ranked_ids(base, terms, limit=limit, offset=offset, match_all=True)
    if total == 0 and len(terms) > 1:
        ids, total = _ranked_ids(base, terms, limit=limit, offset=offset, match_all=False)
        partial = total > 0
    by_id = {p.pk: p for p in _with_relations(Procedure.objects.filter(pk__in=ids))}
    return CatalogPage([by_id[pk] for pk in ids if pk in by_id], total, partial)


def _page_with_total(
    ordered: QuerySet[Procedure], *, limit: int, offset: int
) -> tuple[list[Procedure], int]:
    """A page and the total count in one query (``COUNT(*) OVER ()``)."""
    page = list(
        _with_relations(ordered.annotate(total_count=Window(Count("pk"))))[offset : offset + limit]
    )
    if page:
        return page, int(getattr(page[0], "total_count", 0))
    return page, ordered.count()


def _with_relations(queryset: QuerySet[Procedure]) -> QuerySet[Procedure]:
    return queryset.select_related("field").prefetch_related("channels")


def _ranked_ids(
    base: QuerySet[Procedure], terms: list[str], *, limit: int, offset: int, match_all: bool
) -> tuple[list[int], int]:
    """Ids of one page of ranked matches, and how many match in all."""
    if connection.vendor == "postgresql":
        ranked = _postgres_sql(terms, base, match_all=match_all)
    else:
        ranked = _sqlite_sql(terms, base, match_all=match_all)
    with connection.cursor() as cursor:
        cursor.execute(ranked.text, [*ranked.params, limit, offset])
        rows = cursor.fetchall()
    if rows:
        return [row[0] for row in rows], int(rows[0][1])
    if offset == 0:
        return [], 0
    # Past the last page: count without paging.
    return [], _ranked_ids(base, terms, limit=1, offset=0, match_all=match_all)[1]


def _bonus_sql(terms: list[str], table: str) -> _Sql:
    """Boosts for the name: equal to the query (with or without a leading "Thủ tục"),
    holding it as a phrase, starting with it. Terms are [0-9a-z] words: no LIKE wildcards."""
    phrase = " ".join(terms)
    name = f"{table}.search_name"
    return _Sql(
        f"CASE WHEN {name} IN (%s, %s) THEN {BOOST_NAME_EXACT} ELSE 0 END"
        f" + CASE WHEN (' ' || {name} || ' ') LIKE %s THEN {BOOST_NAME_PHRASE} ELSE 0 END"
        f" + CASE WHEN {name} LIKE %s OR {name} LIKE %s THEN {BOOST_NAME_PREFIX} ELSE 0 END",
        [phrase, f"thu tuc {phrase}", f"% {phrase} %", f"{phrase}%", f"thu tuc {phrase}%"],
    )


# --- SQLite FTS5 ----------------------------------------------------------------------------


def _fts_query(terms: list[str], *, match_all: bool) -> str:
    """An FTS5 query: every word (or any word) required, the last one as a prefix."""
    parts = [f'"{term}"' for term in terms]
    parts[-1] += "*"
    return (" AND " if match_all else " OR ").join(parts)


def _sqlite_sql(terms: list[str], base: QuerySet[Procedure], *, match_all: bool) -> _Sql:
    filtered, filtered_params = base.order_by().values("id").query.sql_with_params()
    bonus = _bonus_sql(terms, "p")
    # Only fixed SQL and the ORM's own compiled filter are spliced in; values are parameters.
    return _Sql(
        "WITH h AS (SELECT rowid AS id, bm25(catalog_procedure_fts, 10.0, 8.0, 3.0, 1.0) AS bm "  # noqa: S608
        "FROM catalog_procedure_fts WHERE catalog_procedure_fts MATCH %s) "
        "SELECT p.id, COUNT(*) OVER () FROM catalog_procedure p JOIN h ON h.id = p.id "
        f"WHERE p.id IN ({filtered}) "
        f"ORDER BY ({bonus.text} - h.bm) DESC, length(p.name), p.search_name, p.code "
        "LIMIT %s OFFSET %s",
        [_fts_query(terms, match_all=match_all), *filtered_params, *bonus.params],
    )


# --- PostgreSQL pg_trgm ---------------------------------------------------------------------

# Trigram similarity costs about 20 microseconds a row, so it reorders only the best
# SIMILARITY_WINDOW rows by the cheap score; later rows keep the cheap order. The order
# is the same whatever page is asked for.
SIMILARITY_WINDOW = 60
# A query word found in the name, standing in for bm25's name weight on SQLite.
WORD_IN_NAME = 3


def _word_patterns(terms: list[str]) -> list[str]:
    """LIKE patterns over the space-padded search text: whole words, the last as a prefix."""
    return [f"% {term} %" for term in terms[:-1]] + [f"% {terms[-1]}%"]


def _postgres_sql(terms: list[str], base: QuerySet[Procedure], *, match_all: bool) -> _Sql:
    table = Procedure._meta.db_table
    text, name = f"{table}.search_text", f"{table}.search_name"
    patterns = _word_patterns(terms)
    match = (" AND " if match_all else " OR ").join([f"{text} LIKE %s"] * len(terms))
    bonus = _bonus_sql(terms, table)
    cheap = bonus.text + "".join(
        f" + CASE WHEN (' ' || {name} || ' ') LIKE %s THEN {WORD_IN_NAME} ELSE 0 END" for _ in terms
    )
    cheap_params = [*bonus.params, *(f"% {term} %" for term in terms)]
    if not match_all:
        cheap += "".join(f" + CASE WHEN {text} LIKE %s THEN {BOOST_TERM} ELSE 0 END" for _ in terms)
        cheap_params += patterns
    # The filters and the word test in one scan of the table (no IN-subquery). The raw
    # fragments are fixed SQL built above; every value goes in as a parameter.
    matches = (
        base.order_by()
        .filter(RawSQL(f"({match})", patterns, output_field=BooleanField()))  # noqa: S611
        .annotate(cheap=RawSQL(cheap, cheap_params, output_field=IntegerField()))  # noqa: S611
        .values("id", "name", "search_name", "code", "cheap")
    )
    matches_sql, matches_params = matches.query.sql_with_params()
    phrase = " ".join(terms)
    # Only fixed SQL and the ORM's own compiled query are spliced in; values are parameters.
    return _Sql(
        f"WITH m AS ({matches_sql}), "  # noqa: S608
        "r AS (SELECT m.*, COUNT(*) OVER () AS total, ROW_NUMBER() OVER "
        "(ORDER BY cheap DESC, length(name), search_name, code) AS rn FROM m) "
        "SELECT id, total FROM r ORDER BY rn > %s, "
        "CASE WHEN rn <= %s THEN cheap + 10 * similarity(%s, search_name) END DESC, rn "
        "LIMIT %s OFFSET %s",
        [*matches_params, SIMILARITY_WINDOW, SIMILARITY_WINDOW, phrase],
    )


# --- Single procedure -------------------------------------------------------------------------


def get_procedure_detail(code: str) -> Procedure | None:
    """A procedure with everything its page shows, or None."""
    offerings = ProcedureOffering.objects.filter(is_active=True).select_related("agency", "process")
    return (
        Procedure.objects.select_related("field")
        .prefetch_related(
            "channels",
            "documents",
            "results",
            "legal_basis",
            Prefetch("offerings", queryset=offerings.order_by("agency__path")),
        )
        .filter(code=code)
        .first()
    )


def field_choices() -> list[tuple[str, str]]:
    """(slug, name) of the fields that have procedures in force."""
    return list(
        Field.objects.filter(procedures__status=Procedure.Status.IN_FORCE)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )


def offering_agency_choices() -> list[tuple[str, str]]:
    """(code, name) of the agencies that actively offer at least one procedure."""
    return list(
        Agency.objects.filter(procedure_offerings__is_active=True, is_active=True)
        .distinct()
        .order_by("path")
        .values_list("code", "name")
    )


def field_exists(slug: str) -> bool:
    return Field.objects.filter(slug=slug).exists()


def agency_exists(code: str) -> bool:
    return Agency.objects.filter(code=code).exists()


# --- Time limits and expected return -----------------------------------------------------


def time_limit(offering: ProcedureOffering) -> rules.TimeLimit | None:
    """The legal time limit of a dossier of ``offering``: the one source for the procedure
    page, the online form, counter intake and the APIs (see ``rules.offering_time_limit``).

    Reads the offering's internal process (``dossiers.Process``, the reverse one-to-one
    ``offering.process``: load it with ``select_related("process")``) and, only when
    neither a process nor a local limit gives one, the procedure's channels.
    """
    process = getattr(offering, "process", None)
    if process is not None and not process.is_active:
        process = None
    return rules.offering_time_limit(
        process_days=None if process is None else process.legal_working_days,
        process_cutoff=True if process is None else process.apply_cutoff,
        local_days=offering.local_processing_working_days,
        national_days=(
            None
            if process is not None or offering.local_processing_working_days
            else offering.procedure.national_deadline_cap()
        ),
    )


def due_for(agency: Agency | None, at: datetime, limit: rules.TimeLimit) -> datetime:
    """When a dossier received ``at`` with ``limit`` is due, on ``agency``'s calendar.

    Working days only (weekends, holidays and the government's day swaps skipped; after
    the cut-off counting starts the next working day when the limit says so). Counter
    intake writes this instant on the receipt slip as the appointment.
    """
    return due_after(
        calendar_for(agency), at, working_days=limit.working_days, apply_cutoff=limit.apply_cutoff
    )


@dataclass(frozen=True)
class Promise:
    """What the pages promise for one offering: its time limit and expected return."""

    offering: ProcedureOffering
    limit: rules.TimeLimit | None
    expected_return: datetime | None


def offering_promise(offering: ProcedureOffering, at: datetime) -> Promise:
    """The time limit of ``offering`` and the appointment a dossier received ``at`` gets
    (None when the offering has no limit), on the deciding agency's calendar."""
    limit = time_limit(offering)
    return Promise(offering, limit, None if limit is None else due_for(offering.agency, at, limit))


@dataclass(frozen=True)
class ProcedurePromises:
    """The promises of every active offering of a procedure, and the one to headline:
    the time limit and date all offerings share (the national ones when nobody offers
    the procedure); None when they differ or nothing gives a limit. ``varies``: the
    offerings promise different dates."""

    offerings: list[Promise]
    limit: rules.TimeLimit | None
    expected_return: datetime | None
    varies: bool = False


def procedure_promises(procedure: Procedure, now: datetime) -> ProcedurePromises:
    """The time limits and expected returns the procedure page shows, for a dossier filed
    ``now`` (uses the offerings and channels ``get_procedure_detail`` loads)."""
    promises = [offering_promise(offering, now) for offering in procedure.offerings.all()]
    if not promises:
        national = rules.offering_time_limit(
            process_days=None,
            process_cutoff=True,
            local_days=None,
            national_days=procedure.national_deadline_cap(),
        )
        due = None if national is None else due_for(None, now, national)
        return ProcedurePromises([], national, due)
    limits = {p.limit.working_days if p.limit else None for p in promises}
    dates = {p.expected_return for p in promises}
    return ProcedurePromises(
        promises,
        promises[0].limit if len(limits) == 1 else None,
        promises[0].expected_return if len(dates) == 1 else None,
        varies=len(dates) > 1,
    )
