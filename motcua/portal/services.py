"""The public lookup as the API and the page use it: input checks, rate limit, answer.

Failed lookups (wrong code or wrong verifier, the same for both) are counted twice: per
client address and dossier code — after :data:`CODE_FAILURE_LIMIT` failures that code is
locked for that client, which stops guessing a 4-digit verifier — and per client address —
after :data:`LOOKUP_FAILURE_LIMIT` failures the client must wait, which stops scanning many
codes. A kiosk or many people behind one address are not locked out by one person's
mistyped code. Successes are not counted.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext, gettext_noop

from motcua.portal.queries import PublicDossier, lookup_dossier, normalise_code
from motcua.portal.ratelimit import (
    FailureLimiter,
    first_retry_after,
    now_seconds,
    record_failures,
)

LOOKUP_FAILURE_LIMIT = 30
CODE_FAILURE_LIMIT = 5
LOOKUP_WINDOW_SECONDS = 10 * 60
LIMITER = FailureLimiter("lookup-failures", LOOKUP_FAILURE_LIMIT, LOOKUP_WINDOW_SECONDS)
CODE_LIMITER = FailureLimiter("lookup-code-failures", CODE_FAILURE_LIMIT, LOOKUP_WINDOW_SECONDS)

NOT_FOUND_MESSAGE = gettext_noop(
    "Không tìm thấy hồ sơ khớp với mã hồ sơ và số xác minh đã nhập. Vui lòng kiểm tra "
    "mã hồ sơ (in trên giấy tiếp nhận) và 4 số cuối của số điện thoại hoặc số định danh "
    "(CCCD) đã khai khi nộp hồ sơ."
)
THROTTLED_MESSAGE = gettext_noop(
    "Bạn đã nhập sai mã hồ sơ hoặc số xác minh quá nhiều lần. Vui lòng thử lại sau "
    "%(minutes)s phút, hoặc liên hệ bộ phận một cửa nơi nộp hồ sơ để được hỗ trợ."
)
MISSING_CODE_MESSAGE = gettext_noop("Vui lòng nhập mã hồ sơ (in trên giấy tiếp nhận).")
MISSING_VERIFIER_MESSAGE = gettext_noop(
    "Vui lòng nhập 4 số cuối của số điện thoại hoặc số định danh (CCCD) đã khai khi nộp hồ sơ."
)


class PublicLookupError(Exception):
    """``message`` in Vietnamese; ``template`` % ``params`` is the same sentence, its
    template marked for translation (the page shows it in the reader's language)."""

    code = "lookup_error"
    http_status = 400

    def __init__(self, template: str, **params: Any) -> None:
        self.template, self.params = template, params
        self.message = template % params if params else template
        super().__init__(self.message)

    def translated(self) -> str:
        """The message in the active language."""
        text = gettext(self.template)
        return text % self.params if self.params else text


class LookupInvalid(PublicLookupError):
    code = "invalid_input"
    http_status = 422

    def __init__(self, message: str, field: str) -> None:
        self.field = field
        super().__init__(message)


class LookupNotFound(PublicLookupError):
    code = "not_found"
    http_status = 404

    def __init__(self) -> None:
        super().__init__(NOT_FOUND_MESSAGE)


class LookupThrottled(PublicLookupError):
    code = "too_many_attempts"
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(THROTTLED_MESSAGE, minutes=max(1, math.ceil(retry_after / 60)))


def public_lookup(client: str, code: str, verifier: str) -> PublicDossier:
    """The public view of a dossier for ``client`` (an address), or a ``PublicLookupError``.

    One statement reads the dossier and the client's failure counts; a blocked client gets
    nothing of what was read, whatever the verifier.
    """
    checks = ((LIMITER, client), (CODE_LIMITER, f"{client}|{normalise_code(code)}"))
    now = now_seconds()
    read = lookup_dossier(
        code, verifier, [(limiter.key(who), limiter.cutoff(now)) for limiter, who in checks]
    )
    retry_after = first_retry_after(read.failures, checks, now)
    if retry_after is not None:
        raise LookupThrottled(retry_after)
    if not code.strip():
        raise LookupInvalid(MISSING_CODE_MESSAGE, "code")
    if not verifier.strip():
        raise LookupInvalid(MISSING_VERIFIER_MESSAGE, "verifier")
    if read.found is None:
        record_failures(checks)
        raise LookupNotFound()
    return read.found
