"""Public pages of the portal: the dossier lookup (``/tra-cuu/``, the receipt's QR code
links here) and the citizen's own: account, online application, their dossiers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from motcua.accounts.models import User
from motcua.accounts.services import RegistrationError, register_citizen
from motcua.catalog.models import ProcedureOffering
from motcua.catalog.queries import offering_promise
from motcua.core.http import inline_file_response, safe_next
from motcua.dossiers.errors import (
    SERVICE_ERRORS,
    DossierPermissionDenied,
    error_message,
    error_status,
)
from motcua.dossiers.models import Attachment
from motcua.dossiers.rules import Action
from motcua.dossiers.services import allowed_actions_for
from motcua.portal import applications
from motcua.portal.forms import OnlineApplicationForm, SignupForm, SupplementForm, WithdrawForm
from motcua.portal.queries import public_view
from motcua.portal.ratelimit import client_ip
from motcua.portal.services import LookupInvalid, LookupThrottled, PublicLookupError, public_lookup


@never_cache
def lookup(request: HttpRequest) -> HttpResponse:
    """GET ``?code=`` pre-fills the form (from the QR code); the form posts code + verifier.

    GET with both ``code`` and ``verifier`` looks up too, so a link can carry them.
    """
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("code", "").strip()[:100]
    verifier = source.get("verifier", "").strip()[:40]
    context: dict[str, Any] = {"code": code, "verifier": "", "result": None, "error": None}
    status = 200
    retry_after: int | None = None
    if request.method == "POST" or (code and verifier):
        try:
            context["result"] = public_lookup(client_ip(request), code, verifier)
        except PublicLookupError as exc:
            context["error"] = exc.translated()
            context["error_field"] = exc.field if isinstance(exc, LookupInvalid) else ""
            if isinstance(exc, LookupThrottled):
                status, retry_after = 429, exc.retry_after
    response = render(request, "portal/lookup.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


# --------------------------------------------------------------------------- citizens


def citizen_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page of the logged-in citizen or organisation; a staff account is told where
    staff work instead (403), anonymous users go to the login page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if isinstance(user, User) and user.kind == User.Kind.STAFF:
            return render(
                request,
                "portal/staff_here.html",
                {"message": "Trang này dành cho công dân, tổ chức nộp hồ sơ trực tuyến."},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


#: The signup form's field for a field the registration names.
SIGNUP_FIELDS = {"password": "password1"}


@sensitive_post_parameters("password1", "password2")
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    """/dang-ky/: a citizen account (login: the personal identification number)."""
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "portal:my_dossiers")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = register_citizen(form.registration())
        except RegistrationError as exc:
            field = SIGNUP_FIELDS.get(exc.field, exc.field)
            for reason in exc.reasons:
                form.add_error(field if field in form.fields else None, reason)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Đã tạo tài khoản. Bạn có thể nộp hồ sơ trực tuyến.")
            return redirect(next_url or "portal:my_dossiers")
    status = 422 if request.method == "POST" else 200
    return render(request, "portal/signup.html", {"form": form, "next": next_url}, status=status)


def apply_choose(request: HttpRequest) -> HttpResponse:
    """``?noi=<offering>`` from a procedure's page: on to that offering's form."""
    chosen = request.GET.get("noi", "")
    if not chosen.isdigit():
        return render(request, "portal/not_online.html", {"offering": None}, status=404)
    return redirect("portal:apply", offering_id=int(chosen))


@citizen_page
def apply(request: HttpRequest, offering_id: int) -> HttpResponse:
    """/nop-truc-tuyen/<offering>/: the applicant, the files, the pledge; nothing is saved
    unless everything is right."""
    offering = applications.online_offering(offering_id)
    if offering is None:
        known = ProcedureOffering.objects.select_related("agency", "procedure")
        shown = {"offering": known.filter(pk=offering_id).first()}
        return render(request, "portal/not_online.html", shown, status=404)
    checklist = offering.procedure.online_checklist()
    user = _me(request)
    post = request.method == "POST"
    form = OnlineApplicationForm(
        request.POST if post else None,
        request.FILES if post else None,
        checklist=checklist,
        initial=OnlineApplicationForm.initial_for(user),
    )
    if post and form.is_valid():
        try:
            dossier = applications.apply_online(
                citizen=user, offering=offering, **form.application()
            )
        except SERVICE_ERRORS as exc:
            target = getattr(exc, "field", "")
            form.add_error(target if target in form.fields else None, error_message(exc))
        else:
            messages.success(
                request,
                f"Đã nộp hồ sơ {dossier.code}. Bộ phận một cửa sẽ kiểm tra để tiếp nhận "
                "hoặc yêu cầu bổ sung; theo dõi tình trạng hồ sơ trên trang này.",
            )
            return redirect("portal:my_dossier", code=dossier.code)
    context = {
        "form": form,
        "offering": offering,
        "promise": offering_promise(offering, timezone.now()),
        "checklist": checklist,
        # A browser never fills file inputs again: say so when files were sent.
        "reattach": post and bool(request.FILES),
    }
    return render(request, "portal/apply.html", context, status=422 if post else 200)


@citizen_page
def my_dossiers(request: HttpRequest) -> HttpResponse:
    """/ho-so-cua-toi/: the citizen's dossiers, newest first."""
    dossiers = applications.own_dossiers(_me(request))[:200]
    return render(request, "portal/my_dossiers.html", {"dossiers": dossiers})


@citizen_page
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    """/ho-so-cua-toi/<code>/: status, timeline, files, and what the applicant may do now."""
    return _my_dossier_page(request, code)


def _my_dossier_page(
    request: HttpRequest,
    code: str,
    *,
    supplement: SupplementForm | None = None,
    withdraw: WithdrawForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = _me(request)
    try:
        dossier = applications.own_dossier(user, code)
    except DossierPermissionDenied as exc:
        return render(request, "portal/staff_here.html", {"message": exc.message}, status=404)
    allowed = set(allowed_actions_for(user, dossier))
    files = list(dossier.attachments.select_related("document"))
    initial = {"expected_version": dossier.version}
    context = {
        "d": dossier,
        "result": public_view(dossier.code or code),
        "files": [f for f in files if f.kind != Attachment.Kind.RESULT],
        "results": [f for f in files if f.kind == Attachment.Kind.RESULT],
        "supplement": supplement or SupplementForm(initial=initial),
        "withdraw": withdraw or WithdrawForm(initial=initial),
        "may_supplement": Action.SUPPLEMENT in allowed,
        "may_withdraw": Action.REQUEST_WITHDRAWAL in allowed,
        "error": error,
    }
    return render(request, "portal/my_dossier.html", context, status=status)


@citizen_page
@require_POST
def my_dossier_supplement(request: HttpRequest, code: str) -> HttpResponse:
    form = SupplementForm(request.POST, request.FILES)
    return _applicant_action(
        request,
        code,
        form,
        lambda data: applications.supplement_online(
            citizen=_me(request),
            code=code,
            expected_version=data["expected_version"],
            note=data["note"],
            scans=form.scans(),
        ),
        "Đã gửi hồ sơ bổ sung.",
    )


@citizen_page
@require_POST
def my_dossier_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    return _applicant_action(
        request,
        code,
        WithdrawForm(request.POST),
        lambda data: applications.withdraw_online(
            citizen=_me(request),
            code=code,
            expected_version=data["expected_version"],
            reason=data["reason"],
        ),
        "Đã gửi yêu cầu rút hồ sơ. Cơ quan sẽ ra thông báo dừng xử lý hồ sơ.",
    )


def _applicant_action(
    request: HttpRequest,
    code: str,
    form: SupplementForm | WithdrawForm,
    run: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Check the form, run the service; on any refusal the dossier page again with the
    form and why (nothing was saved)."""
    supplement = form if isinstance(form, SupplementForm) else None
    withdraw = form if isinstance(form, WithdrawForm) else None
    if not form.is_valid():
        return _my_dossier_page(request, code, supplement=supplement, withdraw=withdraw, status=422)
    try:
        run(form.cleaned_data)
    except SERVICE_ERRORS as exc:
        return _my_dossier_page(
            request,
            code,
            supplement=supplement,
            withdraw=withdraw,
            error=error_message(exc),
            status=error_status(exc),
        )
    messages.success(request, done)
    return redirect("portal:my_dossier", code=code)


@citizen_page
def my_file(request: HttpRequest, code: str, pk: int) -> HttpResponse | FileResponse:
    """A file of the citizen's own dossier (what they sent, the result): 404 otherwise."""
    found = (
        Attachment.objects.filter(pk=pk, dossier__code=code, dossier__applicant_user=_me(request))
        .only("file", "content_type", "original_name")
        .first()
    )
    if found is None:
        return render(
            request, "portal/staff_here.html", {"message": "Không tìm thấy tệp."}, status=404
        )
    return inline_file_response(found)
