"""Typed errors of the dossier services; the API maps them to 403 / 404 / 409 / 422."""

from __future__ import annotations

from motcua.dossiers.rules import ActionNotAllowed, ReasonRequired

__all__ = [
    "SERVICE_ERRORS",
    "ActionNotAllowed",
    "DossierError",
    "DossierNotVisible",
    "DossierPermissionDenied",
    "InvalidDossierInput",
    "VersionConflict",
    "error_message",
    "error_status",
]


class DossierError(Exception):
    code = "dossier_error"
    http_status = 400

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message}


class DossierPermissionDenied(DossierError):
    """The user may not see or act on this dossier (403)."""

    code = "permission_denied"
    http_status = 403


class DossierNotVisible(DossierPermissionDenied):
    """No such dossier among those the user may see (the API answers 404 for both)."""

    def __init__(self) -> None:
        super().__init__("Không tìm thấy hồ sơ, hoặc bạn không có quyền xem hồ sơ này.")


class VersionConflict(DossierError):
    """Someone else changed the dossier first (409): reload and try again."""

    code = "version_conflict"
    http_status = 409

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Hồ sơ vừa được cập nhật (ở trang khác hoặc bởi cán bộ khác) sau khi bạn mở. "
            "Vui lòng tải lại trang, xem lại rồi thực hiện lại."
        )


class InvalidDossierInput(DossierError):
    """Input that fails validation (422), naming the field."""

    code = "invalid_input"
    http_status = 422

    def __init__(self, message: str, field: str = "") -> None:
        self.field = field
        super().__init__(message)

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "field": self.field}


#: What a page shows on the form that caused it (the API maps them in ``config.api``).
SERVICE_ERRORS = (DossierError, ActionNotAllowed, ReasonRequired)


def error_status(exc: Exception) -> int:
    """The HTTP status of a page that shows one of :data:`SERVICE_ERRORS`."""
    if isinstance(exc, DossierPermissionDenied):
        return 403
    if isinstance(exc, InvalidDossierInput | ReasonRequired):
        return 422
    return 409  # version conflict, action not allowed now


def error_message(exc: Exception) -> str:
    return str(getattr(exc, "message", "") or exc)
