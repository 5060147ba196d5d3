"""Every write to a dossier goes through here.

Each action: load the dossier, resolve who acts as what (role, agency, held step), ask
the transition table (:mod:`motcua.dossiers.rules`), then — inside one transaction —
claim the dossier with a conditional ``UPDATE … WHERE version = v`` (a concurrent action
gets :class:`VersionConflict`), move the process steps, and append one immutable
``DossierEvent``. Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureOffering, RequiredDocument
from motcua.catalog.queries import time_limit
from motcua.catalog.rules import TimeLimit
from motcua.core.rows import Later, batched
from motcua.dossiers import policy, rows, rules
from motcua.dossiers.access import can_view_dossier
from motcua.dossiers.errors import (
    DossierNotVisible,
    DossierPermissionDenied,
    InvalidDossierInput,
    VersionConflict,
)
from motcua.dossiers.models import (
    Attachment,
    Dossier,
    DossierCodeSequence,
    DossierDocument,
    DossierEvent,
    DossierStep,
    ProcessStep,
)
from motcua.dossiers.rules import Action, Actor, Status, progress
from motcua.dossiers.rules.progress import ADVANCING
from motcua.worktime.queries import calendar_for
from motcua.worktime.rules import WORKING_HOURS_PER_DAY, WorkCalendar


@dataclass(frozen=True)
class ApplicantData:
    name: str
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class DocumentData:
    name: str
    original_count: int = 0
    copy_count: int = 0
    required_document_id: int | None = None


# --------------------------------------------------------------------------- helpers


def _now(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise InvalidDossierInput("Thời điểm phải có múi giờ.", "at")
    return at


def dossier_time_limit(offering: ProcedureOffering) -> TimeLimit:
    """The time limit of a new dossier of ``offering``: :func:`catalog.queries.time_limit`,
    the one the procedure page and the online form promise; an error when it has none."""
    limit = time_limit(offering)
    if limit is None:
        raise InvalidDossierInput(
            "Thủ tục chưa có thời hạn giải quyết; quản trị cần khai báo thời hạn tại cơ quan "
            "trước khi tiếp nhận hồ sơ.",
            "offering",
        )
    return limit


def default_stages(
    *, intake_agency: Agency, deciding_agency: Agency, working_days: Decimal
) -> list[rules.Stage]:
    """A sensible internal process where the province has not published one.

    Receive at the one-stop unit, process at the deciding agency, sign, return; the
    budget (8 working hours a day) is split so that the steps fit the legal limit.
    """
    total = max(int(working_days * WORKING_HOURS_PER_DAY), 4)
    receive = max(1, total // 10)
    sign = max(1, total // 8)
    give_back = max(1, total // 10)
    handle = max(1, total - receive - sign - give_back)
    intake_ref, deciding_ref = str(intake_agency.pk), str(deciding_agency.pk)
    return [
        rules.ProcessStep("Tiếp nhận hồ sơ", intake_ref, None, Actor.COUNTER_OFFICER, receive),
        rules.ProcessStep("Thẩm định, xử lý hồ sơ", deciding_ref, None, Actor.SPECIALIST, handle),
        rules.ProcessStep("Phê duyệt, ký kết quả", deciding_ref, None, Actor.AGENCY_LEADER, sign),
        rules.ProcessStep("Trả kết quả", intake_ref, None, Actor.COUNTER_OFFICER, give_back),
    ]


@dataclass(frozen=True)
class OfferingProcess:
    """The process a dossier of an offering runs through, as pure stages."""

    stages: list[rules.Stage]
    #: The defined step behind each step, in process order (``rules.iter_steps``); all
    #: None for the default process.
    sources: list[ProcessStep | None]
    apply_cutoff: bool


def offering_process(
    offering: ProcedureOffering, intake_agency: Agency, days: Decimal
) -> OfferingProcess:
    """The offering's active process (agency and unit refs are ids as text), else the
    default one (:func:`default_stages`, cut-off applied)."""
    process = getattr(offering, "process", None)
    if process is None or not process.is_active:
        default = default_stages(
            intake_agency=intake_agency, deciding_agency=offering.agency, working_days=days
        )
        return OfferingProcess(default, [None] * len(default), True)
    by_stage: dict[int, dict[int, list[ProcessStep]]] = {}
    if "steps" in getattr(process, "_prefetched_objects_cache", {}):
        process_steps = list(process.steps.all())  # read with the offering
    else:
        process_steps = list(process.steps.select_related("agency", "unit").order_by())
    for step in process_steps:
        by_stage.setdefault(step.stage, {}).setdefault(step.branch, []).append(step)
    stages: list[rules.Stage] = []
    sources: list[ProcessStep | None] = []
    for stage_no in sorted(by_stage):
        branches = by_stage[stage_no]
        built = []
        for branch_no in sorted(branches):
            branch = []
            for step in sorted(branches[branch_no], key=lambda s: s.position):
                branch.append(
                    rules.ProcessStep(
                        step.name,
                        str(step.agency_id),
                        str(step.unit_id) if step.unit_id else None,
                        Actor(step.role),
                        step.hours,
                    )
                )
                sources.append(step)
            built.append(tuple(branch))
        if len(built) == 1:
            stages.extend(built[0])
        else:
            stages.append(rules.ParallelStage(tuple(built)))
    return OfferingProcess(stages, sources, process.apply_cutoff)


def allocate_code(agency: Agency, received_at: datetime) -> str:
    """The next dossier code of ``agency`` for the day of ``received_at``.

    ``<agency ID>-YYMMDD-XXXX`` (Circular 03/2025/TT-VPCP art. 13): the daily sequence is a
    row incremented by ``UPDATE … SET last_value = last_value + 1 … RETURNING``, which
    serialises concurrent intakes at the same agency on both databases (one round trip);
    numbers are never reused.
    """
    day = timezone.localtime(received_at).date()
    for _attempt in range(3):
        value = _next_sequence_value(agency.pk, day)
        if value is None:
            try:
                with transaction.atomic():
                    DossierCodeSequence.objects.create(agency=agency, day=day, last_value=1)
            except IntegrityError:
                continue  # created meanwhile by a concurrent intake: increment it instead
            value = 1
        return rules.format_dossier_code(agency.code, day, value)
    raise VersionConflict("Không cấp được mã hồ sơ; vui lòng thử lại.")


def _next_sequence_value(agency_id: int, day: date) -> int | None:
    """Increment the agency's sequence of ``day`` and return the new value (None: no row).

    Django's ``update()`` cannot return the new value; ``RETURNING`` (PostgreSQL, SQLite
    ≥ 3.35) saves the second query a read-back would cost on every intake.
    """
    table = connection.ops.quote_name(DossierCodeSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + 1 "  # noqa: S608 (table name only)
            "WHERE agency_id = %s AND day = %s RETURNING last_value",
            [agency_id, connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _validate_applicant(applicant: ApplicantData) -> None:
    if not applicant.name.strip():
        raise InvalidDossierInput("Vui lòng nhập họ tên người nộp hồ sơ.", "applicant_name")
    digits = "".join(ch for ch in applicant.phone if ch.isdigit())
    if applicant.phone and not 9 <= len(digits) <= 12:
        raise InvalidDossierInput("Số điện thoại không hợp lệ (9–12 chữ số).", "applicant_phone")
    id_digits = applicant.id_number.strip()
    if id_digits and not (id_digits.isalnum() and 8 <= len(id_digits) <= 20):
        raise InvalidDossierInput(
            "Số định danh / CCCD / mã số không hợp lệ.", "applicant_id_number"
        )
    if not (applicant.phone or applicant.id_number):
        raise InvalidDossierInput(
            "Cần ít nhất số điện thoại hoặc số định danh để người nộp tra cứu hồ sơ.",
            "applicant_phone",
        )


def _validate_documents(offering: ProcedureOffering, documents: Sequence[DocumentData]) -> None:
    """A line that names a checklist document names one of this procedure's."""
    named = {doc.required_document_id for doc in documents} - {None}
    if not named:
        return
    known = set(
        RequiredDocument.objects.filter(
            procedure_id=offering.procedure_id, pk__in=named
        ).values_list("pk", flat=True)
    )
    for i, doc in enumerate(documents):
        if doc.required_document_id is not None and doc.required_document_id not in known:
            raise InvalidDossierInput(
                f"Giấy tờ thứ {i + 1} («{doc.name.strip()[:100]}»): mã giấy tờ "
                f"{doc.required_document_id} không thuộc thủ tục {offering.procedure.code}.",
                f"documents[{i}].required_document_id",
            )


def _actor_name(user: User | None) -> str:
    if user is None:
        return "Hệ thống"
    return user.get_full_name() or user.get_username()


def _new_event(
    dossier: Dossier,
    *,
    seq: int,
    action: Action,
    at: datetime,
    user: User | None,
    actor: Actor,
    from_status: str,
    to_status: str,
    reason: str = "",
    step: DossierStep | None = None,
    from_agency_id: int | None = None,
    to_agency_id: int | None = None,
    timeliness: str = "",
    payload: dict[str, Any] | None = None,
) -> DossierEvent:
    """The event row (not yet written) of ``action`` on ``dossier``."""
    return DossierEvent(
        dossier=dossier,
        seq=seq,
        occurred_at=at,
        action=action.value,
        actor=user,
        actor_name=_actor_name(user) if actor is not Actor.APPLICANT else "Người nộp hồ sơ",
        actor_role=actor.value,
        actor_agency_id=getattr(user, "agency_id", None),
        from_status=from_status,
        to_status=to_status,
        from_agency_id=from_agency_id,
        to_agency_id=to_agency_id,
        step=step,
        timeliness=timeliness,
        reason=reason,
        payload=payload or {},
    )


def _append_event(dossier: Dossier, **fields: Any) -> DossierEvent:
    (event,) = rows.EVENTS.insert([_new_event(dossier, **fields)])
    return event


# --------------------------------------------------------------------------- creation


def _new_dossier(
    *,
    offering: ProcedureOffering,
    intake_agency: Agency,
    applicant: ApplicantData,
    documents: Sequence[DocumentData],
    channel: rules.Channel,
    status: Status,
    at: datetime,
    subject: str,
    postal_item_number: str,
    return_method: str,
    sets_count: int,
    applicant_user: User | None,
    clock: bool = False,
) -> Dossier:
    """Validate, give the code and write the dossier with its documents.

    With ``clock`` (received now) the appointment and the steps are planned before the
    row is written, so the dossier is inserted once, complete.
    """
    _validate_applicant(applicant)
    _validate_documents(offering, documents)
    if not offering.is_active:
        raise InvalidDossierInput("Cơ quan hiện không tiếp nhận thủ tục này.", "offering")
    postal_item_number = _postal_intake_number(offering, channel, postal_item_number)
    limit = dossier_time_limit(offering)
    dossier = Dossier(
        deciding_agency=offering.agency,
        intake_agency=intake_agency,
        procedure=offering.procedure,
        offering=offering,
        process=getattr(offering, "process", None),
        channel=channel.value,
        status=status.value,
        version=1,
        applicant_name=applicant.name.strip(),
        applicant_id_number=applicant.id_number.strip(),
        applicant_phone=applicant.phone.strip(),
        applicant_email=applicant.email.strip(),
        applicant_address=applicant.address.strip(),
        applicant_user=applicant_user,
        subject=subject.strip() or offering.procedure.name[:500],
        postal_item_number=postal_item_number,
        return_method=return_method,
        sets_count=sets_count,
        submitted_at=at,
        legal_working_days=limit.working_days,
        current_agency=intake_agency,
    )
    steps: list[DossierStep] = []
    if clock:
        fields, steps = _plan_clock(dossier, at, intake_agency, limit)
        for name, value in fields.items():
            setattr(dossier, name, value)
        if steps:  # the agency (and unit) of the first step, as loaded with the process
            if _STEP_AGENCY.is_cached(steps[0]):
                dossier.current_agency = steps[0].agency
            if steps[0].unit_id is not None and _STEP_UNIT.is_cached(steps[0]):
                dossier.current_unit = steps[0].unit
    dossier.code = allocate_code(offering.agency, at)
    dossier.search_text = rules.search_text(
        dossier.code,
        dossier.applicant_name,
        dossier.applicant_phone,
        dossier.applicant_id_number,
    )
    rows.DOSSIERS.insert([dossier])
    docs = rows.DOCUMENTS.insert(
        DossierDocument(
            dossier=dossier,
            name=doc.name.strip()[:1000],
            original_count=doc.original_count,
            copy_count=doc.copy_count,
            required_document_id=doc.required_document_id,
            order=i,
        )
        for i, doc in enumerate(documents)
        if doc.name.strip()
    )
    rows.STEPS.insert(steps)
    remember_related(dossier, documents=docs, steps=steps if clock else None)
    return dossier


def _postal_intake_number(offering: ProcedureOffering, channel: rules.Channel, number: str) -> str:
    """The postal item number of a dossier sent by post, checked and normalised.

    Refused when the procedure's published ways of filing have no postal one, as its page
    says (``Procedure.accepts_postal_submission``).
    """
    if channel is not rules.Channel.POSTAL:
        return number.strip()
    if offering.procedure.accepts_postal_submission is False:
        raise InvalidDossierInput(
            "Thủ tục này không nhận hồ sơ qua bưu chính (theo cách thức thực hiện đã công "
            "bố): chọn hình thức nộp trực tiếp.",
            "channel",
        )
    return _postal_item_number(number, "Hồ sơ nộp qua bưu chính cần số hiệu bưu gửi.")


def _postal_item_number(number: str, missing: str) -> str:
    """``number`` normalised; :class:`InvalidDossierInput` (``missing`` when empty)."""
    if not number.strip():
        raise InvalidDossierInput(missing, "postal_item_number")
    problem = rules.postal_item_problem(number)
    if problem is not None:
        raise InvalidDossierInput(problem, "postal_item_number")
    return rules.normalise_item_number(number)


def remember_related(
    dossier: Dossier,
    *,
    steps: Sequence[DossierStep] | None = None,
    events: Sequence[DossierEvent] | None = None,
    documents: Sequence[DossierDocument] | None = None,
) -> None:
    """Keep rows the service just wrote or read as the dossier's prefetched relations.

    ``dossier.steps.all()`` (and ``events``, ``documents``) then answer from memory, as
    after ``prefetch_related``: the response after a write needs no second read.
    """
    cache = dossier.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, given in (("steps", steps), ("events", events), ("documents", documents)):
        if given is None:
            continue
        manager = getattr(dossier, name)
        qs = manager.get_queryset()
        qs._result_cache = list(given)
        qs._prefetch_done = True
        cache[name] = qs


def _plan_clock(
    dossier: Dossier, at: datetime, intake_agency: Agency, limit: TimeLimit
) -> tuple[dict[str, Any], list[DossierStep]]:
    """Appointment and step plan at receipt: the dossier fields to set and the new steps.

    The appointment is :func:`catalog.queries.due_for` of the offering's time limit, the
    date the procedure page and the online form promise for a dossier received ``at``.
    """
    assert dossier.offering is not None
    cal = calendar_for(dossier.deciding_agency)
    process = offering_process(dossier.offering, intake_agency, Decimal(limit.working_days))
    receipt = progress.receive(
        cal,
        at,
        process.stages,
        float(limit.working_days),
        apply_cutoff=limit.apply_cutoff,
        intake_agency_id=intake_agency.pk,
        deciding_agency_id=dossier.deciding_agency_id,
    )
    known = {a.pk: a for a in (intake_agency, dossier.deciding_agency) if a is not None}
    new_steps = []
    for step, model in zip(receipt.steps, process.sources, strict=True):
        row = DossierStep(
            dossier=dossier,
            process_step=model,
            stage=step.stage,
            branch=step.branch,
            position=step.position,
            name=step.name,
            agency_id=step.agency_id,
            unit_id=step.unit_id,
            role=step.role,
            hours=step.hours,
            state=step.state,
            started_at=step.started_at,
            due_at=step.due_at,
        )
        # The agencies are at hand (process steps are read with them): keep them on the
        # row so that showing the steps needs no query.
        agency = model.agency if model is not None else known.get(step.agency_id)
        if agency is not None:
            row.agency = agency
        if step.unit_id is not None and model is not None and model.unit is not None:
            row.unit = model.unit
        new_steps.append(row)
    return {**receipt.fields, "legal_working_days": limit.working_days}, new_steps


@transaction.atomic
def receive_at_counter(
    *,
    acting_user: User,
    offering: ProcedureOffering,
    applicant: ApplicantData,
    documents: Sequence[DocumentData] = (),
    channel: rules.Channel = rules.Channel.IN_PERSON,
    subject: str = "",
    postal_item_number: str = "",
    return_method: str = "counter",
    sets_count: int = 1,
    at: datetime | None = None,
) -> Dossier:
    """A counter officer receives an in-person or postal dossier: code, receipt, clock."""
    now = _now(at)
    if channel is rules.Channel.ONLINE:
        raise InvalidDossierInput("Hồ sơ trực tuyến được tiếp nhận từ hàng chờ.", "channel")
    if not acting_user.has_role(Role.COUNTER_OFFICER) or acting_user.agency is None:
        raise DossierPermissionDenied("Chỉ cán bộ tiếp nhận mới được tiếp nhận hồ sơ.")
    rules.next_status(None, Action.ACCEPT, Actor.COUNTER_OFFICER)
    intake_agency = counter_agency(acting_user)
    if not _may_receive_for(intake_agency, offering.agency):
        raise DossierPermissionDenied(
            f"{intake_agency.name} không tiếp nhận hồ sơ của {offering.agency.name}."
        )
    dossier = _new_dossier(
        offering=offering,
        intake_agency=intake_agency,
        applicant=applicant,
        documents=documents,
        channel=channel,
        status=Status.RECEIVED,
        at=now,
        subject=subject,
        postal_item_number=postal_item_number,
        return_method=return_method,
        sets_count=sets_count,
        applicant_user=None,
        clock=True,
    )
    assert dossier.appointment_at is not None
    event = _append_event(
        dossier,
        seq=1,
        action=Action.ACCEPT,
        at=now,
        user=acting_user,
        actor=Actor.COUNTER_OFFICER,
        from_status="",
        to_status=Status.RECEIVED.value,
        to_agency_id=intake_agency.pk,
        payload={"channel": channel.value, "appointment_at": dossier.appointment_at.isoformat()},
    )
    event.to_agency = intake_agency
    event.actor_agency = acting_user.agency
    remember_related(dossier, events=[event])
    return dossier


def counter_agency(user: User) -> Agency:
    """Where a counter officer receives: their one-stop unit / service center, else agency."""
    unit = user.unit
    if unit is not None and unit.kind in (Agency.Kind.ONE_STOP_UNIT, Agency.Kind.SERVICE_CENTER):
        return unit
    assert user.agency is not None
    return user.agency


def _may_receive_for(intake_agency: Agency, deciding_agency: Agency) -> bool:
    """The one-stop unit of the agency itself, an agency above it, or a service center.

    Service centers accept dossiers of any procedure of the province regardless of
    administrative boundary (Decree 118/2025/NĐ-CP art. 14).
    """
    if intake_agency.pk == deciding_agency.pk or intake_agency.parent_id == deciding_agency.pk:
        return True
    if intake_agency.kind in (Agency.Kind.SERVICE_CENTER, Agency.Kind.ONE_STOP_UNIT):
        return True
    return deciding_agency.path.startswith(intake_agency.path) or intake_agency.path.startswith(
        deciding_agency.path
    )


@transaction.atomic
def submit_online(
    *,
    offering: ProcedureOffering,
    applicant: ApplicantData,
    documents: Sequence[DocumentData] = (),
    acting_user: User | None = None,
    subject: str = "",
    return_method: str = "online",
    at: datetime | None = None,
) -> Dossier:
    """A dossier filed on the portal (or received from the national portal): code, queue."""
    now = _now(at)
    actor = Actor.APPLICANT if acting_user is not None else Actor.SYSTEM
    rules.next_status(None, Action.SUBMIT_ONLINE, actor)
    intake = online_intake_agency(offering.agency)
    dossier = _new_dossier(
        offering=offering,
        intake_agency=intake,
        applicant=applicant,
        documents=documents,
        channel=rules.Channel.ONLINE,
        status=Status.NEW_ONLINE,
        at=now,
        subject=subject,
        postal_item_number="",
        return_method=return_method,
        sets_count=1,
        applicant_user=acting_user,
    )
    _append_event(
        dossier,
        seq=1,
        action=Action.SUBMIT_ONLINE,
        at=now,
        user=acting_user,
        actor=actor,
        from_status="",
        to_status=Status.NEW_ONLINE.value,
        to_agency_id=intake.pk,
    )
    return dossier


#: The receiving points of an agency where its online dossiers wait.
_ONLINE_INTAKE_KINDS = (Agency.Kind.ONE_STOP_UNIT, Agency.Kind.SERVICE_CENTER)


def online_intake_agency(deciding: Agency, children: Iterable[Agency] | None = None) -> Agency:
    """Online dossiers wait at the one-stop unit of the deciding agency (or the agency).

    ``children``: the deciding agency's children when the caller has them (else read).
    """
    if children is None:
        children = Agency.objects.filter(
            parent=deciding, kind__in=_ONLINE_INTAKE_KINDS, receives_dossiers=True
        )
    candidates = [a for a in children if a.kind in _ONLINE_INTAKE_KINDS and a.receives_dossiers]
    return min(candidates, key=lambda a: a.pk) if candidates else deciding


# --------------------------------------------------------------------------- actions


def step_order(step: DossierStep) -> tuple[int, int, int, int]:
    """Process order of a dossier's steps (as ``DossierStep.Meta.ordering``), in memory."""
    return (step.stage, step.branch, step.position, step.pk or 0)


def _active_steps(dossier: Dossier) -> list[DossierStep]:
    """The active steps in process order (from the prefetched steps when there are)."""
    steps = sorted(dossier.steps.all(), key=step_order)
    return [s for s in steps if s.state == DossierStep.State.ACTIVE]


def _related(
    user: User | None, dossier: Dossier, actor: Actor, action: Action, active: list[DossierStep]
) -> DossierStep | bool:
    """Whether ``user`` acting as ``actor`` may touch this dossier; the step they act
    through if any (``policy.acts_through``)."""
    return policy.acts_through(policy.person(user), dossier, actor, action, active)


def _resolve(
    user: User | None,
    dossier: Dossier,
    action: Action,
    as_system: bool,
    active: list[DossierStep],
) -> tuple[Actor, DossierStep | None, rules.Transition]:
    status = Status(dossier.status)
    counts = {
        "supplement_requests_so_far": dossier.supplement_requests,
        "apologies_so_far": dossier.apologies,
    }
    actors = policy.candidate_actors(policy.person(user), dossier, as_system=as_system)
    related = [(a, r) for a in actors if (r := _related(user, dossier, a, action, active))]
    if not related:
        if actors and can_view_dossier(user, dossier):
            raise rules.ActionNotAllowed(
                status, action, actors[0], _allowed_for(dossier, actors, active, user)
            )
        raise DossierPermissionDenied(
            "Bạn không có quyền thực hiện thao tác này trên hồ sơ (hồ sơ không thuộc cơ quan "
            "hoặc bước xử lý của bạn)."
        )
    first_error: rules.ActionNotAllowed | None = None
    for actor, held in related:
        try:
            transition = rules.transition_for(status, action, actor, **counts)
        except rules.ActionNotAllowed as exc:
            first_error = first_error or exc
            continue
        return actor, (held if isinstance(held, DossierStep) else None), transition
    assert first_error is not None
    allowed = _allowed_for(dossier, [a for a, _ in related], active, user)
    if type(first_error) is rules.ActionNotAllowed:
        raise rules.ActionNotAllowed(status, action, first_error.actor, allowed)
    raise type(first_error)(status, action, first_error.actor, allowed)


def _allowed_for(
    dossier: Dossier, actors: list[Actor], active: list[DossierStep], user: User | None
) -> list[Action]:
    status = Status(dossier.status)
    seen: list[Action] = []
    for actor in actors:
        for action in rules.allowed_actions(
            status,
            actor,
            supplement_requests_so_far=dossier.supplement_requests,
            apologies_so_far=dossier.apologies,
        ):
            if action not in seen and _related(user, dossier, actor, action, active):
                seen.append(action)
    if Action.ISSUE_APOLOGY in seen and apology_refusal(dossier, timezone.now()) is not None:
        seen.remove(Action.ISSUE_APOLOGY)  # it would be refused: the same rule as the check
    return seen


def apology_rule() -> rules.ApologyRule:
    """The province's apology rule: settings ``MOTCUA_APOLOGY_NOTICE_WORKING_HOURS`` and
    ``MOTCUA_LATE_APOLOGY`` (provincial decisions under Decree 118/2025/NĐ-CP, article
    unverified: see :mod:`motcua.dossiers.rules.late`)."""
    return rules.ApologyRule(
        min_notice_working_hours=settings.MOTCUA_APOLOGY_NOTICE_WORKING_HOURS,
        late=rules.LateApology(settings.MOTCUA_LATE_APOLOGY),
    )


def apology_refusal(dossier: Dossier, now: datetime) -> rules.ApologyNotAllowed | None:
    """Why no apology may be issued on ``dossier`` at ``now`` (None: one may): what the
    pages offer and what :func:`perform_action` checks first."""
    if dossier.due_at is None:
        return rules.ApologyNotAllowed("no_due", "Hồ sơ chưa có ngày hẹn trả.")
    return rules.apology_refusal(
        calendar_for(dossier.deciding_agency),
        now=now,
        current_due=dossier.due_at,
        apologies_so_far=dossier.apologies,
        rule=apology_rule(),
    )


def allowed_actions_for(user: User | None, dossier: Dossier) -> list[Action]:
    """Exactly the actions this user may take on this dossier now (for the UI and API)."""
    active = _active_steps(dossier)
    actors = policy.candidate_actors(policy.person(user), dossier)
    return _allowed_for(dossier, actors, active, user)


def perform_action(
    dossier: Dossier | int | str,
    action: Action | str,
    *,
    acting_user: User | None,
    expected_version: int | None = None,
    reason: str = "",
    assignee: User | None = None,
    new_due: datetime | None = None,
    payload: dict[str, Any] | None = None,
    as_system: bool = False,
    at: datetime | None = None,
    require_visible: bool = False,
    postal_item_number: str = "",
) -> Dossier:
    """Perform ``action`` on a dossier (instance, pk or code) as ``acting_user``.

    Returning a result by post takes the ``postal_item_number`` of the item that carries it.

    Returns the updated dossier with its steps and events at hand (prefetched). With
    ``require_visible`` the dossier is looked up among those the user may see, in the
    same query that locks it (:class:`DossierNotVisible` otherwise).

    Raises :class:`DossierPermissionDenied` (403), ``ActionNotAllowed`` (409, with the
    allowed actions), :class:`VersionConflict` (409) or :class:`InvalidDossierInput` (422).
    Nothing is written when it raises.
    """
    with transaction.atomic():
        # Lock the row (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers):
        # a concurrent action waits here and then sees the new version, instead of
        # deciding on this row and the other action's steps at once. Fixed statements
        # (``dossiers.rows``): compiling them through the ORM cost more than running them.
        # The dossier with its steps, its events and its documents: sent together (one
        # round trip on PostgreSQL, ``core.rows.batched``), read after.
        code, pk = (dossier, None) if isinstance(dossier, str) else (None, _pk_of(dossier))
        with batched():
            locked = rows.lock_dossier_later(code=code, pk=pk)
            events_read = rows.events_later(code=code, pk=pk)
            documents_read = rows.documents_later(code=code, pk=pk)
        found, events, documents = locked.get(), events_read.get(), documents_read.get()
        if found is None:
            raise DossierNotVisible()
        current, steps = found[0], sorted(found[1], key=step_order)
        if require_visible and not policy.sees(
            policy.visibility(acting_user), current, (s.agency_id for s in steps)
        ):
            raise DossierNotVisible()
        try:
            action = Action(action)
        except ValueError as exc:
            raise InvalidDossierInput(f"Thao tác không hợp lệ: {action!r}.", "action") from exc
        if expected_version is not None and current.version != expected_version:
            raise VersionConflict()
        known = _KnownRows(steps, acting_user, assignee)
        known.attach([current, *events])
        remember_related(current, steps=steps, events=events, documents=documents)
        active = [s for s in steps if s.state == DossierStep.State.ACTIVE]
        actor, held, transition = _resolve(acting_user, current, action, as_system, active)
        if transition.needs_reason:
            reason = rules.require_reason(action, reason)
        now = _now(at)
        handler = _Handler(current, acting_user, actor, held, active, now, action, transition)
        handler.steps, handler.events = steps, events
        handler.run(
            reason=reason,
            assignee=assignee,
            new_due=new_due,
            postal_item_number=postal_item_number,
        )
        seq = current.version + 1
        changes = {
            "version": seq,
            "status": transition.to.value,
            "updated_at": now,
            **handler.fields,
        }
        # The dossier (if still at the version read), its steps and the event: sent
        # together, checked after; a conflict rolls all three back.
        try:
            with batched():
                claim = rows.DOSSIERS.update_later(
                    current.pk, changes, also={"version": current.version}
                )
                steps_written = handler.apply_steps()
                inserted = rows.EVENTS.insert_later(
                    [
                        _new_event(
                            current,
                            seq=seq,
                            action=action,
                            at=now,
                            user=acting_user,
                            actor=actor,
                            from_status=current.status,
                            to_status=transition.to.value,
                            reason=reason,
                            step=handler.finished_step,
                            from_agency_id=handler.from_agency_id,
                            to_agency_id=handler.to_agency_id,
                            timeliness=handler.step_timeliness,
                            payload={**handler.payload, **(payload or {})},
                        )
                    ]
                )
            claimed, _, (event,) = claim.get(), steps_written.get(), inserted.get()
        except IntegrityError as exc:  # the event's number taken: another action won
            if "unique_dossier_event_seq" not in str(exc):
                raise
            raise VersionConflict() from exc
        if claimed != 1:
            raise VersionConflict()
    # What was written, also in memory: the caller shows it without reading it back.
    known.set(current, changes)
    for step, update in handler.step_updates:
        known.set(step, update)
    steps = sorted([*steps, *handler.new_steps], key=step_order)
    known.attach([event])
    remember_related(current, steps=steps, events=[*events, event], documents=documents)
    return current


def _pk_of(dossier: Dossier | int) -> int:
    return dossier if isinstance(dossier, int) else int(dossier.pk)


_USER_AGENCY = User._meta.get_field("agency")
_STEP_AGENCY = DossierStep._meta.get_field("agency")
_STEP_UNIT = DossierStep._meta.get_field("unit")


class _KnownRows:
    """The agencies and users read with a dossier's steps, to set relations without queries.

    A dossier's agencies (deciding, intake, current, late) and its events' agencies are
    nearly always those of its steps: reading the steps with their agencies, then setting
    the other relations from them, replaces seven joins with one lookup of what is left.
    """

    AGENCY_RELATIONS = {
        "deciding_agency_id": "deciding_agency",
        "intake_agency_id": "intake_agency",
        "current_agency_id": "current_agency",
        "current_unit_id": "current_unit",
        "late_agency_id": "late_agency",
        "actor_agency_id": "actor_agency",
        "from_agency_id": "from_agency",
        "to_agency_id": "to_agency",
    }
    USER_RELATIONS = {"assignee_id": "assignee"}

    def __init__(self, steps: Sequence[DossierStep], *users: User | None) -> None:
        self.agencies: dict[int, Agency] = {}
        self.users: dict[int, User] = {}
        for step in steps:
            for agency in (step.agency, step.unit):
                if agency is not None:
                    self.agencies[agency.pk] = agency
            assignee = step.assignee if step.assignee_id is not None else None
            if assignee is not None:
                self.users[assignee.pk] = assignee
        for user in users:
            if user is not None:
                self.users[user.pk] = user
                agency = user.agency if _USER_AGENCY.is_cached(user) else None
                if agency is not None:
                    self.agencies[agency.pk] = agency

    def attach(self, rows: Sequence[Any]) -> None:
        """Set the agency and user relations of ``rows`` (one query for agencies not known)."""
        missing = {
            agency_id
            for row in rows
            for name in self.AGENCY_RELATIONS
            if (agency_id := getattr(row, name, None)) is not None
            and agency_id not in self.agencies
        }
        if missing:
            self.agencies.update(Agency.objects.order_by().in_bulk(missing))
        for row in rows:
            self.set(row, {})

    def set(self, row: Any, values: dict[str, Any]) -> None:
        """Write ``values`` on ``row`` and set the relations they (and it) point to."""
        for name, value in values.items():
            if not hasattr(value, "resolve_expression"):  # F(): only the database knows
                setattr(row, name, value)
        for relations, known in (
            (self.AGENCY_RELATIONS, self.agencies),
            (self.USER_RELATIONS, self.users),
        ):
            for attname, relation in relations.items():
                value = getattr(row, attname, None)
                if value is not None and value in known:
                    setattr(row, relation, known[value])


class _Handler:
    """The effect of one action on the dossier fields and its steps.

    What is checked (who may hand over to whom, the electronic result, the new
    appointment) is here; what the action does to the steps and the clock is
    :mod:`motcua.dossiers.rules.progress`, which the bulk history writer applies too.
    """

    def __init__(
        self,
        dossier: Dossier,
        user: User | None,
        actor: Actor,
        held: DossierStep | None,
        active: list[DossierStep],
        now: datetime,
        action: Action,
        transition: rules.Transition,
    ) -> None:
        self.dossier = dossier
        self.user = user
        self.actor = actor
        self.held = held
        self.active = active
        self.now = now
        self.action = action
        self.transition = transition
        self.cal: WorkCalendar = calendar_for(dossier.deciding_agency)
        self.fields: dict[str, Any] = {}
        self.payload: dict[str, Any] = {}
        self.step_updates: list[tuple[DossierStep, dict[str, Any]]] = []
        self.finished_step: DossierStep | None = None
        #: Every step and event of the dossier, read once by ``perform_action``.
        self.steps: list[DossierStep] = []
        self.events: list[DossierEvent] = []
        self.new_steps: list[DossierStep] = []
        self.from_agency_id: int | None = None
        self.to_agency_id: int | None = None
        self.step_timeliness = ""
        self._pause_cache: list[rules.Pause] | None = None

    # -- dispatch
    def run(
        self,
        *,
        reason: str,
        assignee: User | None,
        new_due: datetime | None,
        postal_item_number: str = "",
    ) -> None:
        action = self.action
        if action is Action.ACCEPT:
            self._accept()
        elif action is Action.ASSIGN:
            self._assign(assignee)
        elif action is Action.RETURN_TO_PREVIOUS:
            self._return_to_previous()
        else:
            finishing = None
            notice = ""
            if action in ADVANCING:
                if action is Action.RETURN_RESULT:
                    self._check_electronic_result()
                    self._record_postal_return(postal_item_number)
                finishing = self._handed_over()
            elif action is Action.ISSUE_APOLOGY:
                notice = self._check_new_appointment(new_due, reason)
            effect = progress.act(
                self.cal,
                self._clock(),
                self._progress_steps(),
                action,
                self.transition.to,
                self.now,
                pauses=self._pauses(),
                finishing=finishing,
                by=getattr(self.user, "pk", None),
                new_due=new_due,
                notice=notice,
            )
            self._take(effect)

    def _take(self, effect: progress.Effect) -> None:
        """Apply what :mod:`~motcua.dossiers.rules.progress` decided to the rows."""
        by_pk = {s.pk: s for s in self.steps}
        self.fields.update(effect.fields)
        self.payload.update(effect.payload)
        self.step_updates.extend((by_pk[u.key], u.changes) for u in effect.updates)
        if effect.finished is not None:
            self.finished_step = by_pk[effect.finished.key]
            self.from_agency_id = effect.from_agency_id
            self.step_timeliness = effect.timeliness
        if effect.to_agency_id is not None:
            self.to_agency_id = effect.to_agency_id

    def _clock(self) -> progress.Clock:
        d = self.dossier
        return progress.Clock(
            status=d.status,
            received_at=d.received_at,
            clock_started_at=d.clock_started_at,
            appointment_at=d.appointment_at,
            new_appointment_at=d.new_appointment_at,
            due_at=d.due_at,
            paused_since=d.paused_since,
            supplement_requests=d.supplement_requests,
            apologies=d.apologies,
            apology_issued_at=max(
                (e.occurred_at for e in self.events if e.action == Action.ISSUE_APOLOGY),
                default=None,
            ),
        )

    def _progress_steps(self) -> list[progress.Step]:
        return [s.as_progress_step() for s in self.steps]

    def _pauses(self) -> list[rules.Pause]:
        """Clock pauses, read once per action from the event log."""
        if self._pause_cache is None:
            history = [(e.occurred_at, e.to_status) for e in self.events if e.to_status]
            self._pause_cache = rules.pauses_from_history(history)
        return self._pause_cache

    def _check_electronic_result(self) -> None:
        """A result returned online is its electronic copy: it must be attached first
        (return online, Decree 45/2020/NĐ-CP arts. 14, 16, 18)."""
        if self.dossier.return_method != "online":
            return
        if not Attachment.objects.filter(
            dossier_id=self.dossier.pk, kind=Attachment.Kind.RESULT
        ).exists():
            raise InvalidDossierInput(
                "Người nộp đăng ký nhận kết quả trực tuyến: tải lên bản điện tử của kết quả "
                "(loại tệp «Kết quả giải quyết») trước khi trả kết quả.",
                "result",
            )

    def _record_postal_return(self, number: str) -> None:
        """A result returned by post: the number of the postal item that carries it, on
        the dossier and in the event, so that the applicant can follow it (results are
        returned at the counter, by post or online, Decree 45/2020/NĐ-CP arts. 14, 16,
        18)."""
        if self.dossier.return_method != "post":
            return
        number = _postal_item_number(
            number,
            "Người nộp đăng ký nhận kết quả qua bưu chính: nhập số hiệu bưu gửi của bưu "
            "gửi chứa kết quả.",
        )
        self.fields["return_postal_item_number"] = number
        self.payload["postal_item_number"] = number

    # -- intake
    def _accept(self) -> None:
        if Status(self.dossier.status) is Status.NEW_ONLINE and self.dossier.received_at is None:
            assert self.user is not None and self.user.agency is not None
            assert self.dossier.offering is not None
            limit = dossier_time_limit(self.dossier.offering)
            fields, new_steps = _plan_clock(
                self.dossier, self.now, self.dossier.intake_agency, limit
            )
            rows.STEPS.insert(new_steps)
            self.fields.update(fields)
            self.new_steps = new_steps
            self.to_agency_id = self.dossier.intake_agency_id

    # -- steps
    def _handed_over(self) -> progress.Step | None:
        """The step a handover ends (None: the counter returns a result no step holds)."""
        step = self.held or (self.active[0] if self.active and self.actor is Actor.SYSTEM else None)
        if step is None:
            if self.action in (Action.RETURN_RESULT, Action.MARK_RESULT_READY):
                return None  # nothing left in the process: the counter returns the result
            raise InvalidDossierInput("Bạn không giữ bước xử lý nào của hồ sơ này.", "action")
        finishing = step.as_progress_step()
        upcoming = progress.next_steps(self._progress_steps(), finishing)
        to_leaders = bool(upcoming) and all(s.role == Actor.AGENCY_LEADER.value for s in upcoming)
        if (
            self.action is Action.FORWARD
            and Status(self.dossier.status) is Status.IN_PROGRESS
            and to_leaders
        ):
            raise InvalidDossierInput(
                "Bước tiếp theo là lãnh đạo phê duyệt, ký: chọn «Trình ký».", "action"
            )
        if self.action is Action.SUBMIT_FOR_SIGNATURE and not to_leaders:
            # Otherwise the dossier would wait "for signature" at a step no leader holds.
            raise InvalidDossierInput(
                "Bước tiếp theo không phải bước lãnh đạo phê duyệt, ký: chọn «Chuyển bước "
                "tiếp theo».",
                "action",
            )
        return finishing

    def _assign(self, assignee: User | None) -> None:
        if assignee is None:
            raise InvalidDossierInput("Chọn cán bộ được phân công.", "assignee")
        if assignee.kind != User.Kind.STAFF or not assignee.has_role(Role.SPECIALIST):
            raise InvalidDossierInput("Người được phân công phải là chuyên viên.", "assignee")
        who = policy.person(self.user)
        if assignee.agency_id in who.places and not policy.may_assign(
            who, self.actor, policy.person(assignee)
        ):
            raise InvalidDossierInput(
                "Lãnh đạo phòng chỉ phân công chuyên viên của phòng mình.", "assignee"
            )
        if self.held is not None and self.held.role != Actor.SPECIALIST.value:
            steps, held = self._progress_steps(), self.held.as_progress_step()
            upcoming = progress.next_steps(steps, held)
            if assignee.agency_id not in {s.agency_id for s in upcoming}:
                raise InvalidDossierInput(
                    "Chuyên viên phải thuộc cơ quan xử lý bước tiếp theo.", "assignee"
                )
            self._take(
                progress.hand_over(
                    self.cal,
                    steps,
                    held,
                    self.now,
                    self._pauses(),
                    by=getattr(self.user, "pk", None),
                    upcoming=upcoming,
                    assignee_id=assignee.pk,
                )
            )
        else:
            # Each agency assigns its own staff to the step it holds (parallel branches:
            # not the step another agency holds at the same time).
            own = {getattr(self.user, "agency_id", None), getattr(self.user, "unit_id", None)}
            target = next(
                (
                    s
                    for s in self.active
                    if s.agency_id == assignee.agency_id and s.agency_id in own
                ),
                None,
            )
            if target is None:
                raise InvalidDossierInput(
                    "Chuyên viên phải thuộc cơ quan của bạn và cơ quan đang xử lý hồ sơ.",
                    "assignee",
                )
            self.step_updates.append((target, {"assignee_id": assignee.pk}))
            self.fields["assignee_id"] = assignee.pk
            self.to_agency_id = target.agency_id
        self.payload["assignee"] = _actor_name(assignee)

    def _return_to_previous(self) -> None:
        if self.held is None:
            raise InvalidDossierInput("Bạn không giữ bước xử lý nào của hồ sơ này.", "action")
        previous = progress.previous_step(self._progress_steps())
        if previous is None:
            raise InvalidDossierInput("Không có bước trước để trả lại.", "action")
        self._take(progress.send_back(self.cal, self.held.as_progress_step(), previous, self.now))

    # -- clock
    def _check_new_appointment(self, new_due: datetime | None, reason: str) -> str:
        """The new appointment checked (``apology_refusal`` first, as the pages offer it);
        how much notice it gives (``rules.ApologyTiming``)."""
        refusal = apology_refusal(self.dossier, self.now)
        if refusal is not None:
            raise InvalidDossierInput(refusal.message, "new_due")
        if new_due is None:
            raise InvalidDossierInput("Chọn ngày hẹn trả kết quả mới.", "new_due")
        current_due = self.dossier.due_at
        assert current_due is not None  # apology_refusal
        try:
            timing = rules.check_new_appointment(
                self.cal,
                now=self.now,
                current_due=current_due,
                new_due=new_due,
                apologies_so_far=self.dossier.apologies,
                reason=reason,
                rule=apology_rule(),
            )
        except rules.ApologyNotAllowed as exc:
            raise InvalidDossierInput(str(exc), "new_due") from exc
        return timing.value

    def apply_steps(self) -> Later[int]:
        return rows.STEPS.update_each_later(
            [(step.pk, update) for step, update in self.step_updates]
        )
