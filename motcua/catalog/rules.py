"""Pure rules of the procedure catalog: text folding for search and facts derived from a
procedure's channels. No Django, no I/O: everything here is tested without a database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal

# --- Folding and search keys ----------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"[0-9a-z]+")
# A syllable made of initial consonants and a final "y" (ký, lý, mỹ, sỹ, tỷ …) is also
# written with "i" (kí, lí, mĩ, sĩ, tỉ): both spellings are in use, so search treats them
# as one. "quy", "tuy", "huy" (a real diphthong) and a lone "y" are left alone.
_CONSONANT_Y = re.compile(r"^(b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|nh|p|ph|r|s|t|th|tr|v|x)y$")
_CODE = re.compile(r"^\d+\.\d+(?:\.[0-9A-Za-z]+)*$")
_CODE_PREFIX = re.compile(r"^\d+\.\d{3,}(?:\.[0-9A-Za-z]*)*$")

MAX_QUERY_TERMS = 8


def fold(text: str | None) -> str:
    """Lower-case ``text`` and drop its diacritics, ``đ``/``Đ`` included.

    NFD decomposition splits "ế" into "e" plus combining marks, which are dropped; "đ" has
    no decomposition, so it is mapped by hand. Runs of whitespace become one space.
    Accepts NFC or NFD input and gives the same result for both.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _WHITESPACE.sub(" ", stripped.lower()).strip()


def _normalise_word(word: str) -> str:
    match = _CONSONANT_Y.match(word)
    return f"{match.group(1)}i" if match else word


def search_words(text: str | None) -> list[str]:
    """The words search compares: folded, punctuation dropped, ký/kí spelled alike."""
    return [_normalise_word(word) for word in _WORD.findall(fold(text))]


def search_key(text: str | None) -> str:
    """``search_words`` joined by single spaces: the form stored for searching."""
    return " ".join(search_words(text))


#: Abbreviations people type for words that procedure names spell out.
ABBREVIATIONS: dict[str, str] = {
    # The card is "thẻ căn cước" since the 2023 Law on Identification ("căn cước công dân"
    # before): the two words both names share.
    "cccd": "căn cước",
    "cmnd": "chứng minh nhân dân",
    "gplx": "giấy phép lái xe",
    "gpkd": "giấy phép kinh doanh",
    "dkkd": "đăng ký kinh doanh",
    "hkd": "hộ kinh doanh",
    "bhxh": "bảo hiểm xã hội",
    "bhyt": "bảo hiểm y tế",
    "bhtn": "bảo hiểm thất nghiệp",
    "lltp": "lý lịch tư pháp",
    "qsdd": "quyền sử dụng đất",
    "gcn": "giấy chứng nhận",
    "ubnd": "ủy ban nhân dân",
    "pccc": "phòng cháy chữa cháy",
    "mst": "mã số thuế",
    "tncn": "thu nhập cá nhân",
    "gtgt": "giá trị gia tăng",
}
_EXPANSIONS = {search_key(short): search_words(long) for short, long in ABBREVIATIONS.items()}


def query_terms(query: str | None) -> list[str]:
    """The words of a search query, abbreviations spelt out (``gplx`` → giấy phép lái
    xe), at most ``MAX_QUERY_TERMS``, duplicates removed."""
    terms: list[str] = []
    for word in search_words(query):
        for term in _EXPANSIONS.get(word, [word]):
            if term not in terms:
                terms.append(term)
    return terms[:MAX_QUERY_TERMS]


def looks_like_code(query: str | None) -> bool:
    """True for a national procedure code or the start of one (``1.001193``, ``1.0011``)."""
    text = (query or "").strip()
    return bool(text) and "." in text and bool(_CODE_PREFIX.match(text))


def is_procedure_code(value: str) -> bool:
    """A national code (``1.001193``) or a local variant (``1.008377.000.00.00.H13``)."""
    return bool(_CODE.match(value))


def procedure_search_text(
    *, code: str, name: str, keywords: str | None, field_name: str | None
) -> str:
    """The text searched for one procedure: the words of its code, name, keywords and field.

    It starts and ends with a space, so every word, the first and last included, reads
    ``" word "`` and a whole-word test is a plain ``LIKE '% word %'``.
    """
    parts = [search_key(code), search_key(name), search_key(keywords), search_key(field_name)]
    return f" {' '.join(part for part in parts if part)} "


# --- Facts derived from channels --------------------------------------------------------

LEVELS = ("commune", "district", "province", "ministry", "other")
CHANNELS = ("online", "direct", "postal")
TIME_UNITS = ("working_day", "day", "hour", "working_hour")

FULL_ONLINE = "full_online"
PARTIAL_ONLINE = "partial_online"
NOT_ONLINE = "not_online"
UNKNOWN_ONLINE = "unknown"

_MENTIONS_ONLINE = re.compile(r"truc tuyen|cong dich vu cong|dich vu cong truc tuyen")
_RETURNS_BY_POST = re.compile(r"(tra|nhan) ket qua[^.;]{0,80}buu (chinh|dien)")
# Provinces publish internal processes in working hours, 8 per working day.
HOURS_PER_WORKING_DAY = Decimal(8)


def derive_online_level(
    channels: Sequence[tuple[str, str | None]] | None, *, has_detail: bool
) -> str:
    """How far a procedure can be done online, from its (channel, description) rows.

    The national data only says whether an online row exists, not whether the whole
    procedure (payment and result included) is online, so:

    - an ``online`` row → ``full_online``;
    - no online row, but a row's description tells the applicant to file on the portal
      → ``partial_online``;
    - rows but nothing online → ``not_online``;
    - no channel information at all (catalog-only records) → ``unknown``.
    """
    if not has_detail or channels is None:
        return UNKNOWN_ONLINE
    if any(channel == "online" for channel, _ in channels):
        return FULL_ONLINE
    if any(_MENTIONS_ONLINE.search(fold(description)) for _, description in channels):
        return PARTIAL_ONLINE
    return NOT_ONLINE


def offers_postal_return(descriptions: Iterable[str | None]) -> bool:
    """True when a channel description says results can be returned by post."""
    return any(_RETURNS_BY_POST.search(fold(text)) for text in descriptions)


def accepts_postal_submission(*, has_detail: bool, offers_postal_submission: bool) -> bool | None:
    """Whether the procedure takes dossiers sent by post, as its public page says.

    The ways of filing a procedure (cách thức thực hiện) are published with it; postal
    filing is one of the channels of Decree 118/2025/NĐ-CP (arts. 15, 17) only where they
    list it. None when the catalog has no detail (ways of filing unknown): the page says
    nothing and nothing is refused.
    """
    if not has_detail:
        return None
    return offers_postal_submission


def accepts_direct_submission(channels: Iterable[str], *, has_detail: bool) -> bool | None:
    """Whether the procedure's ways of filing include filing in person (None: unknown)."""
    if not has_detail:
        return None
    return "direct" in set(channels)


def is_interconnected_name(name: str) -> bool:
    """A "liên thông" procedure groups several procedures; its name starts with the term.

    Names that only mention a one-stop interconnection as an exception ("trừ trường hợp …
    cơ chế một cửa liên thông …") are not themselves interconnected procedures.
    """
    return fold(name).startswith("lien thong")


def time_in_working_days(value: Decimal | int | None, unit: str | None) -> Decimal | None:
    """A processing time expressed in working days, or None when it cannot be compared.

    Legal time limits are in working days; a bare number from the portal (no unit) is read
    as working days too. Hours count as working hours (8 per day). Calendar days are taken
    at face value: N working days last at least N calendar days, so the comparison catches
    every local deadline that is surely too long, but not one that only might be.
    """
    if value is None:
        return None
    amount = Decimal(value)
    if unit in ("working_day", "day", None):
        return amount
    if unit in ("hour", "working_hour"):
        return amount / HOURS_PER_WORKING_DAY
    return None


def national_deadline_cap(
    times: Iterable[tuple[Decimal | int | None, str | None]],
) -> Decimal | None:
    """The longest local deadline (in working days) allowed by the national time limits.

    A local deadline applies to every channel, so it must fit the shortest national limit
    among the rows that give a positive number. None when no row gives one.
    """
    limits = [
        days
        for value, unit in times
        if (days := time_in_working_days(value, unit)) is not None and days > 0
    ]
    return min(limits) if limits else None


def local_deadline_error(local_days: int | None, cap: Decimal | None) -> str | None:
    """Why a local deadline is not allowed, or None when it is."""
    if local_days is None:
        return None
    if local_days <= 0:
        return "Thời hạn giải quyết tại địa phương phải lớn hơn 0 ngày làm việc."
    if cap is not None and Decimal(local_days) > cap:
        return (
            f"Thời hạn giải quyết tại địa phương ({local_days} ngày làm việc) không được dài "
            f"hơn thời hạn quy định ({cap.normalize():f} ngày làm việc)."
        )
    return None


def sort_key_hours(value: Decimal | int | None, unit: str | None) -> Decimal | None:
    """An approximate length in working hours, used only to pick the shortest row to show."""
    days = time_in_working_days(value, unit)
    return None if days is None else days * HOURS_PER_WORKING_DAY


def shortest_time_index(times: Sequence[tuple[Decimal | int | None, str | None]]) -> int | None:
    """Index of the row with the shortest positive processing time, or None."""
    best: tuple[Decimal, int] | None = None
    for index, (value, unit) in enumerate(times):
        hours = sort_key_hours(value, unit)
        if hours is None or hours <= 0:
            continue
        if best is None or hours < best[0]:
            best = (hours, index)
    return None if best is None else best[1]
