"""``render_form(code, context) -> bytes``: a form's Django template → markup → PDF.

The template is the province's active ``FormTemplate`` for that code if there is one,
else the packaged default under ``templates/printing/form_<code>.html``. Templates are
compiled by a standalone Django ``Engine`` (autoescaping on, the filters of
``templatefilters`` built in) so that they see only the form's context: its fields as
top-level names (``dossier_code``, ``applicant.name`` …) and ``form`` (code and name).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError

from motcua.printing.context import (
    ApologyContext,
    ControlSlipContext,
    FormContext,
    ReceiptContext,
    RefusalContext,
    RegisterContext,
    StopNoticeContext,
    SupplementContext,
)
from motcua.printing.markup import MarkupError, parse
from motcua.printing.pdf import Renderer

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_INVALID = "\x00KHONG_CO_BIEN[%s]\x00"
_INVALID_RE = re.compile("\x00KHONG_CO_BIEN\\[(.*?)\\]\x00")


@dataclass(frozen=True)
class FormSpec:
    code: str
    name: str
    context_class: type

    @property
    def template_name(self) -> str:
        return f"printing/form_{self.code}.html"


# Names as in Circular 03/2025/TT-VPCP Appendix I [unverified against the official text].
FORMS: dict[str, FormSpec] = {
    spec.code: spec
    for spec in (
        FormSpec("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", ReceiptContext),
        FormSpec("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", SupplementContext),
        FormSpec("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", RefusalContext),
        FormSpec("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", ApologyContext),
        FormSpec("05", "Thông báo dừng giải quyết hồ sơ", StopNoticeContext),
        FormSpec("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ", ControlSlipContext),
        FormSpec("07", "Sổ theo dõi hồ sơ", RegisterContext),
    )
}


class FormTemplateError(ValueError):
    """A form template that does not compile, render or lay out (message in Vietnamese)."""


def form_spec(code: str) -> FormSpec:
    try:
        return FORMS[code]
    except KeyError:
        raise FormTemplateError(
            f"Không có biểu mẫu số “{code}” (có các mẫu {', '.join(FORMS)})."
        ) from None


@functools.cache
def _engine(strict: bool) -> Engine:
    return Engine(
        dirs=[str(TEMPLATES_DIR)],
        builtins=["motcua.printing.templatefilters"],
        autoescape=True,
        debug=strict,  # line numbers in syntax errors
        string_if_invalid=_INVALID if strict else "",
    )


def packaged_source(code: str) -> str:
    """The default template shipped with motcua for form ``code``."""
    return (TEMPLATES_DIR / form_spec(code).template_name).read_text(encoding="utf-8")


def active_source(code: str) -> str:
    """The template in force: the province's active override, else the packaged default."""
    from motcua.printing.models import FormTemplate

    override = FormTemplate.objects.filter(code=form_spec(code).code, is_active=True).first()
    return override.body if override is not None else packaged_source(code)


def template_context(context: FormContext) -> dict[str, Any]:
    values: dict[str, Any] = {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}
    return values


def _check_context(code: str, context: FormContext) -> FormSpec:
    spec = form_spec(code)
    if not isinstance(context, spec.context_class):
        raise TypeError(
            f"Mẫu {code} cần {spec.context_class.__name__}, nhận được {type(context).__name__}"
        )
    return spec


def render_markup(
    code: str, context: FormContext, *, source: str | None = None, strict: bool = False
) -> str:
    """Run the form's Django template; ``strict`` reports unknown variables as errors."""
    spec = _check_context(code, context)
    if source is None:
        source = active_source(code)
    engine = _engine(strict)
    try:
        template = engine.from_string(source)
    except TemplateSyntaxError as exc:
        raise FormTemplateError(f"Lỗi cú pháp mẫu{_line(exc)}: {exc}") from exc
    values = template_context(context)
    values["form"] = {"code": spec.code, "name": spec.name}
    try:
        markup = template.render(Context(values, autoescape=True))
    except Exception as exc:
        raise FormTemplateError(f"Lỗi khi điền dữ liệu vào mẫu{_line(exc)}: {exc}") from exc
    if strict:
        unknown = sorted(set(_INVALID_RE.findall(markup)))
        if unknown:
            raise FormTemplateError(
                "Mẫu dùng biến không có trong dữ liệu của biểu mẫu: " + ", ".join(unknown) + "."
            )
    return markup


def render_form(code: str, context: FormContext, *, source: str | None = None) -> bytes:
    """The PDF of form ``code`` ("01" … "07") filled with ``context``."""
    markup = render_markup(code, context, source=source)
    try:
        return Renderer(parse(markup)).render()
    except MarkupError as exc:
        raise FormTemplateError(f"Mẫu tạo ra bố cục không hợp lệ: {exc}") from exc


def check_template(code: str, source: str, context: FormContext) -> bytes:
    """Compile, fill with ``context`` (strictly) and lay out ``source``; the PDF or an error."""
    markup = render_markup(code, context, source=source, strict=True)
    try:
        return Renderer(parse(markup)).render()
    except MarkupError as exc:
        raise FormTemplateError(f"Mẫu tạo ra bố cục không hợp lệ: {exc}") from exc


def _line(exc: Exception) -> str:
    info = getattr(exc, "template_debug", None)
    if isinstance(info, dict) and info.get("line"):
        return f" (dòng {info['line']})"
    return ""
