"""Back-office pages (/can-bo/): parse → access helper → one service or query → render."""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device

from motcua.accounts.models import User
from motcua.backoffice import queries as inbox
from motcua.backoffice import services
from motcua.backoffice.access import (
    denied,
    is_counter,
    may_print_register,
    may_upload,
    staff_required,
    staff_user,
)
from motcua.backoffice.forms import (
    ActionForm,
    IntakeForm,
    RegisterForm,
    TokenForm,
    UploadForm,
    WorklistForm,
)
from motcua.core.db import with_custom_plans
from motcua.core.http import inline_file_response, safe_next
from motcua.dossiers import queries, rules
from motcua.dossiers.access import access_dossier
from motcua.dossiers.errors import (
    SERVICE_ERRORS,
    DossierPermissionDenied,
    InvalidDossierInput,
    error_message,
    error_status,
)
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.printouts import lookup_url, register_context, render_dossier_form
from motcua.dossiers.rules import Action, Channel
from motcua.dossiers.services import counter_agency, perform_action
from motcua.printing.render import render_form

#: The form each action produces (Circular 03/2025/TT-VPCP), offered right after it.
FORM_AFTER = {
    Action.ACCEPT: "01",
    Action.REQUEST_SUPPLEMENT: "02",
    Action.REFUSE_INTAKE: "03",
    Action.ISSUE_APOLOGY: "04",
    Action.STOP: "05",
}


def _me(request: HttpRequest) -> User:
    user = staff_user(request)
    assert user is not None  # staff_required ran
    return user


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------- worklist


@staff_required
@with_custom_plans
def worklist(request: HttpRequest) -> HttpResponse:
    """/can-bo/: tabs with counts, search, filters, sort, 25 a page; htmx gets the table."""
    user = _me(request)
    tabs = queries.tabs_for(user)
    form = WorklistForm(request.GET)
    f = form.filters([t.key for t in tabs], default_tab="mine")
    clock = queries.clock_for(user)
    paginator = Paginator(queries.worklist(user, f, clock), queries.PAGE_SIZE)
    page = paginator.get_page(form.page_number())
    counts = queries.tab_counts(user, tabs, clock)
    keep = {"q": f.q, "thu_tuc": f.procedure_id, "trang_thai": f.status, "sap_xep": f.sort}
    keep |= {"noi": f.place_id, "can_bo": f.officer_id, "ket_qua": f.result}
    context = {
        "form": form,
        "f": f,
        "tabs": [(t, counts[t.key]) for t in tabs],
        "current_tab": queries.TABS[f.tab],
        "page": page,
        "rows": queries.work_rows(page.object_list, clock),
        "keep": urlencode({k: v for k, v in keep.items() if v not in (None, "")}),
        "procedures": queries.procedures_in_view(user),
        "place": queries.place_name(f.place_id),
        "officer": queries.officer_name(f.officer_id),
        "sorts": [(k, v[0]) for k, v in queries.SORTS.items()],
    }
    partial = _is_partial(request)
    template = "backoffice/_worklist.html" if partial else "backoffice/worklist.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --------------------------------------------------------------------------- dossier page


@dataclass
class Attempt:
    """An action the user just tried, with what they typed and what went wrong."""

    action: Action
    form: ActionForm


def _dossier_page(
    request: HttpRequest,
    user: User,
    dossier: Dossier,
    *,
    attempt: Attempt | None = None,
    upload_form: UploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = queries.dossier_page(user, dossier, queries.clock_for(user))
    forms = []
    for action in page.actions:
        if attempt is not None and attempt.action is action:
            forms.append((action, attempt.form))
        else:
            form = ActionForm(
                action,
                initial={"expected_version": dossier.version},
                specialists=page.specialists,
                return_by_post=dossier.return_method == "post",
            )
            forms.append((action, form))
    if attempt is not None and attempt.action not in page.actions:
        forms.insert(0, (attempt.action, attempt.form))
    printed = request.GET.get("in", "")
    context = {
        "p": page,
        "d": dossier,
        "action_forms": forms,
        "attempt": attempt,
        "just_printed": printed if printed in dict(page.forms) else "",
        "upload_form": upload_form or UploadForm(dossier=dossier),
        "may_upload": may_upload(user, dossier, (row.step for row in page.steps)),
    }
    return render(request, "backoffice/dossier.html", context, status=status)


def _dossier_or_404(request: HttpRequest, code: str) -> Dossier | HttpResponse:
    try:
        return access_dossier(_me(request), code)
    except DossierPermissionDenied as exc:
        return denied(request, exc.message, status=404)


@staff_required
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier_or_404(request, code)
    if isinstance(dossier, HttpResponse):
        return dossier
    return _dossier_page(request, _me(request), dossier)


@staff_required
@require_POST
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Perform one action from its small form; on error re-render with the input kept."""
    user, dossier = _me(request), _dossier_or_404(request, code)
    if isinstance(dossier, HttpResponse):
        return dossier
    if action not in {a.value for a in Action}:
        return denied(request, "Thao tác không hợp lệ.", status=404)
    act = Action(action)
    specialists = (
        queries.assignable_specialists(user, dossier, list(dossier.steps.all()))
        if act is Action.ASSIGN
        else []
    )
    form = ActionForm(
        act, request.POST, specialists=specialists, return_by_post=dossier.return_method == "post"
    )
    if not form.is_valid():
        return _dossier_page(request, user, dossier, attempt=Attempt(act, form), status=422)
    data = form.cleaned_data
    new_due = data.get("new_due")
    try:
        perform_action(
            dossier,
            act,
            acting_user=user,
            expected_version=data["expected_version"],
            reason=data.get("reason", ""),
            assignee=data.get("assignee"),
            new_due=queries.end_of_working_day(dossier.deciding_agency, new_due)
            if new_due
            else None,
            postal_item_number=data.get("postal_item_number", ""),
        )
    except SERVICE_ERRORS as exc:
        target = getattr(exc, "field", "")
        form.add_error(target if target in form.fields else None, error_message(exc))
        dossier.refresh_from_db()
        attempt = Attempt(act, form)
        return _dossier_page(request, user, dossier, attempt=attempt, status=error_status(exc))
    messages.success(request, f"Đã thực hiện: {rules.ACTION_LABELS_VI[act]}.")
    url = reverse("backoffice:dossier", args=[code])
    return redirect(url + (f"?in={FORM_AFTER[act]}" if act in FORM_AFTER else ""))


@staff_required
def attachment(request: HttpRequest, code: str, pk: int) -> HttpResponse | FileResponse:
    """A scan, inline, for whoever may see the dossier (404 for anyone else)."""
    dossier = _dossier_or_404(request, code)
    if isinstance(dossier, HttpResponse):
        return dossier
    found = dossier.attachments.filter(pk=pk).first()
    if found is None:
        return denied(request, "Không tìm thấy tệp.", status=404)
    return inline_file_response(found)


@staff_required
def print_form(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """The PDF of form 01–06 of a dossier, when the dossier has it."""
    dossier = _dossier_or_404(request, code)
    if isinstance(dossier, HttpResponse):
        return dossier
    try:
        data = render_dossier_form(dossier, form, request.build_absolute_uri("/"))
    except InvalidDossierInput as exc:
        return denied(request, exc.message, status=404)
    return _pdf(data, f"{code}-mau-{form}.pdf")


@staff_required
@require_POST
def upload(request: HttpRequest, code: str) -> HttpResponse:
    """More scans on the dossier page (counter officers and specialists)."""
    user, dossier = _me(request), _dossier_or_404(request, code)
    if isinstance(dossier, HttpResponse):
        return dossier
    if not may_upload(user, dossier, dossier.steps.all()):
        return denied(
            request,
            "Chỉ cán bộ nơi tiếp nhận, người đang giữ bước xử lý, văn thư và lãnh đạo cơ quan "
            "giải quyết được tải tệp lên hồ sơ này.",
        )
    form = UploadForm(request.POST, request.FILES, dossier=dossier)
    if form.is_valid():
        document = dossier.documents.filter(pk=form.cleaned_data.get("document") or 0).first()
        try:
            saved = services.upload_scans(
                dossier,
                form.uploads(),
                acting_user=user,
                document=document,
                kind=form.cleaned_data["kind"] or Attachment.Kind.SCAN,
            )
        except SERVICE_ERRORS as exc:
            form.add_error(None, error_message(exc))
        else:
            messages.success(request, f"Đã tải lên {len(saved)} tệp.")
            return redirect("backoffice:dossier", code=code)
    return _dossier_page(request, user, dossier, upload_form=form, status=422)


# --------------------------------------------------------------------------- intake


FIELD_ALIASES = {
    "applicant_id_number",
    "applicant_name",
    "applicant_phone",
    "channel",
    "postal_item_number",
}


def _intake_picker(request: HttpRequest, user: User) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    context = {"q": q, "offerings": queries.receivable_offerings(user, q)}
    partial = _is_partial(request)
    template = "backoffice/_offerings.html" if partial else "backoffice/intake_pick.html"
    return render(request, template, context)


@staff_required
def intake(request: HttpRequest) -> HttpResponse:
    """/can-bo/tiep-nhan/: pick the procedure, then the intake form; nothing saved on error."""
    user = _me(request)
    if not is_counter(user):
        return denied(request, "Chỉ cán bộ tiếp nhận và trả kết quả được tiếp nhận hồ sơ.")
    chosen = request.GET.get("thu_tuc", "")
    if not chosen.isdigit():
        return _intake_picker(request, user)
    offering = queries.receivable_offering(user, int(chosen))
    if offering is None:
        return denied(request, "Thủ tục không có hoặc không tiếp nhận tại đây.", status=404)
    # The catalog's remarks are shown as notes, not as documents to tick.
    docs, remarks = offering.procedure.checklist()
    post = request.method == "POST"
    form = IntakeForm(
        request.POST if post else None, request.FILES if post else None, required_documents=docs
    )
    if post and form.is_valid():
        try:
            dossier = services.receive_with_scans(
                acting_user=user,
                offering=offering,
                applicant=form.applicant(),
                documents=form.documents_data(),
                scans=form.scans(),
                channel=Channel(form.cleaned_data["channel"]),
                postal_item_number=form.cleaned_data["postal_item_number"],
                return_method=form.cleaned_data["return_method"],
                sets_count=form.cleaned_data["sets_count"],
                subject=form.cleaned_data["subject"],
            )
        except SERVICE_ERRORS as exc:
            target = getattr(exc, "field", "")
            form.add_error(target if target in FIELD_ALIASES else None, error_message(exc))
        else:
            return redirect("backoffice:intake_done", code=dossier.code)
    context = {
        "form": form,
        "offering": offering,
        "counter": counter_agency(user),
        "remarks": remarks,
    }
    return render(request, "backoffice/intake_form.html", context, status=422 if post else 200)


@staff_required
def intake_done(request: HttpRequest, code: str) -> HttpResponse:
    """The code, the appointment, the lookup QR and the print buttons."""
    dossier = _dossier_or_404(request, code)
    if isinstance(dossier, HttpResponse):
        return dossier
    url = lookup_url(dossier, request.build_absolute_uri("/"))
    qr = segno.make(url, error="m").svg_inline(scale=4, dark="#1d232b")
    return render(request, "backoffice/intake_done.html", {"d": dossier, "qr": qr, "url": url})


# --------------------------------------------------------------------------- leaders


@staff_required
@with_custom_plans
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if not queries.may_see_dashboard(user):
        return denied(request, "Trang tổng quan dành cho lãnh đạo và cán bộ kiểm soát TTHC.")
    board = queries.dashboard(user, queries.clock_for(user))
    return render(request, "backoffice/dashboard.html", {"board": board})


@staff_required
def register(request: HttpRequest) -> HttpResponse:
    """Form 07 (sổ theo dõi hồ sơ) for a date range, as PDF."""
    user = _me(request)
    if not may_print_register(user):
        return denied(request, "Bạn không có quyền in sổ theo dõi hồ sơ.")
    today = timezone.localdate()
    form = RegisterForm(request.GET or None, initial={"tu": today.replace(day=1), "den": today})
    if request.GET and form.is_valid():
        agency = counter_agency(user) if is_counter(user) else user.agency
        assert agency is not None
        start, end = form.cleaned_data["tu"], form.cleaned_data["den"]
        pdf = render_form("07", register_context(agency, start, end))
        return _pdf(pdf, f"so-theo-doi-{start:%Y%m%d}-{end:%Y%m%d}.pdf")
    status = 422 if request.GET else 200
    return render(request, "backoffice/register.html", {"form": form}, status=status)


@staff_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
        services.mark_read(user, ids or None)
        return redirect("backoffice:notifications")
    return render(request, "backoffice/notifications.html", {"items": inbox.inbox(user, 100)})


# --------------------------------------------------------------------------- second factor


def _safe_next(request: HttpRequest) -> str:
    return safe_next(request, reverse("backoffice:worklist"))


@staff_required
def security(request: HttpRequest) -> HttpResponse:
    """/can-bo/bao-mat/: enrol an authenticator app (QR code), confirm it with a code."""
    user = _me(request)
    form = TokenForm(request.POST if "token" in request.POST else None)
    if request.method == "POST" and "start" in request.POST:
        services.start_totp_enrolment(user)
        return redirect("backoffice:security")
    pending = services.pending_device(user)
    if pending is not None and form.is_bound and form.is_valid():
        if services.confirm_totp_device(user, pending, form.cleaned_data["token"]):
            otp_login(request, pending)
            messages.success(request, "Đã bật xác thực hai lớp cho tài khoản.")
            return redirect("backoffice:security")
        form.add_error("token", "Mã xác thực không đúng hoặc đã hết hạn. Vui lòng thử lại.")
    context: dict[str, Any] = {"form": form, "device": services.confirmed_device(user)}
    if pending is not None:
        context["pending"] = pending
        context["qr"] = segno.make(pending.config_url, error="m").svg_inline(scale=4)
        context["secret"] = b32encode(pending.bin_key).decode()
    return render(request, "backoffice/security.html", context, status=422 if form.errors else 200)


@staff_required(verified=False)
def verify(request: HttpRequest) -> HttpResponse:
    """/can-bo/xac-thuc/: the 6-digit code after the password, when an app is enrolled."""
    user = _me(request)
    is_verified = getattr(request.user, "is_verified", lambda: False)
    if not user_has_device(user, confirmed=True) or is_verified():
        return redirect(_safe_next(request))
    form = TokenForm(request.POST or None)
    if form.is_bound and form.is_valid():
        device = services.verify_second_factor(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error(
            "token",
            "Mã xác thực không đúng hoặc đã hết hạn. Nếu nhập sai nhiều lần, hãy chờ vài "
            "giây rồi thử lại.",
        )
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "backoffice/verify.html", context, status=422 if form.errors else 200)
