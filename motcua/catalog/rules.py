"""Pure rules of the procedure catalog: text folding for search, facts derived from a
procedure's channels, and which of its documents an online application needs. No Django,
no I/O: everything here is tested without a database.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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


# --- The unit of a processing time ----------------------------------------------------

#: Warnings the importer adds to a channel whose unit it did not find on the row itself.
TIME_UNIT_FROM_RECORD = "time_unit_from_record"
TIME_UNIT_FROM_FIELD = "time_unit_from_field"

#: Fields whose law counts every time limit in working days, so that the national
#: database's bare number ("1") is read as working days: civil status (Law on Civil
#: Status 60/2014/QH13 arts. 16-18, 28 and Decree 123/2015/NĐ-CP: "ngày làm việc"
#: throughout, the same day or the next working day after 15:00). [unverified: the
#: portal does not say what a bare number means] A province changes the list with
#: ``MOTCUA_WORKING_DAY_FIELDS``; other fields (customs count some limits in hours) keep
#: no unit and the page says so.
WORKING_DAY_FIELDS: tuple[str, ...] = ("Hộ tịch",)

_UNIT_WORDS = (
    ("ngay lam viec", "working_day"),
    ("gio lam viec", "working_hour"),
    ("ngay", "day"),
    ("gio", "hour"),
)
_TIME_PHRASE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(ngay lam viec|gio lam viec|ngay|gio)\b")


def _stated_times(text: str | None) -> list[tuple[Decimal, str]]:
    """Every "<number> <unit>" a text states ("05 ngày làm việc" → (5, working_day))."""
    units = dict(_UNIT_WORDS)
    return [
        (Decimal(number.replace(",", ".")), units[words])
        for number, words in _TIME_PHRASE.findall(fold(text))
    ]


def resolve_time_units(
    rows: Sequence[tuple[Decimal | None, str | None, str, str]],
    *,
    field_name: str,
    working_day_fields: Iterable[str] = WORKING_DAY_FIELDS,
) -> list[tuple[str | None, str | None]]:
    """The unit of each (value, unit, text, description) processing time of one
    procedure, and the warning saying where it was found (None: on the row itself).

    The portal sometimes gives a bare number. Its unit is then taken, in this order,
    from the row's own wording ("3 Ngày làm việc"), from another row of the procedure
    that gives the same number with a unit ("2" online, "2 Giờ" in person), from the
    row's description when it states the same number with a unit ("trong thời hạn 05
    ngày làm việc"), and for the fields of ``working_day_fields`` it is working days.
    Otherwise the unit stays unknown: the source truly gives none.
    """
    given: dict[Decimal, str] = {}
    for value, unit, _text, _description in rows:
        if value is not None and unit:
            given.setdefault(value, unit)
    reads_working_days = fold(field_name) in {fold(name) for name in working_day_fields}
    resolved: list[tuple[str | None, str | None]] = []
    for value, unit, text, description in rows:
        if unit or value is None:
            resolved.append((unit, None))
            continue
        own = [u for number, u in _stated_times(text) if number == value]
        described = [u for number, u in _stated_times(description) if number == value]
        found = own[0] if own else given.get(value) or (described[0] if described else None)
        if found:
            resolved.append((found, TIME_UNIT_FROM_RECORD))
        elif reads_working_days:
            resolved.append(("working_day", TIME_UNIT_FROM_FIELD))
        else:
            resolved.append((None, None))
    return resolved


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


# --- Fees ----------------------------------------------------------------------------------

#: Warning the importer adds to a channel whose "Miễn phí" head it dropped.
FEE_SET_ELSEWHERE = "fee_set_elsewhere"

# The portal prints "Miễn phí" in the fee cell when no amount is entered, and puts what the
# law says in the note after it: "(Theo quy định của Hội đồng nhân dân cấp tỉnh)".
_FREE_WITH_NOTE = re.compile(r"^\s*Miễn phí\s*\((?P<note>.*)\)\s*$", re.DOTALL)
# The portal's empty amount left in some notes: "Đồng (…)", "Lệ phí : Đồng (…)".
_EMPTY_AMOUNT = re.compile(r"^(?:(?:Lệ phí|Phí)\s*:\s*)?Đồng\b\s*")
# A note that sends the amount elsewhere (on folded text): the provincial People's Council
# sets it (the Law on Fees and Charges 97/2015/QH13 leaves many fees to it), a circular
# fixes the rate ("mức thu"), that law itself, the amount itself, or a provider's price.
_SETS_THE_FEE = re.compile(
    r"hoi dong nhan dan|\bhdnd\b|luat phi va le phi|\bmuc (?:thu|phi|le phi)\b"
    r"|\btra phi\b|thanh toan le phi|\d{1,3}(?:[.,]\d{3})+\s*(?:dong|vnd|d)\b"
)


def _wrapped(text: str) -> bool:
    """Whether ``text`` is one bracketed group: "(…)" whose first bracket closes last."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for position, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and position < len(text) - 1:
            return False
    return depth == 0


def fee_as_stated(fee_text: str, fee_vnd: int | None) -> tuple[str, int | None, bool]:
    """The fee wording and amount as the source means them, and whether they changed.

    "Miễn phí (Theo quy định của Hội đồng nhân dân cấp tỉnh)" is not free: the portal
    shows "Miễn phí" for an empty amount, and the note says who sets the fee. Such a fee
    becomes the note alone, with no amount. "Miễn phí" with a note that sets nothing (an
    optional copy fee, "Không") stays as it is.
    """
    match = _FREE_WITH_NOTE.match(fee_text)
    if match is None or not _SETS_THE_FEE.search(fold(match["note"])):
        return fee_text, fee_vnd, False
    note = _EMPTY_AMOUNT.sub("", match["note"].strip())
    while _wrapped(note):
        note = note[1:-1].strip()
    note = re.sub(r"^-\s+", "", note)
    return note, None, True


# --- The time limit of a dossier ---------------------------------------------------------

#: Where the time limit of an offering comes from (see ``offering_time_limit``).
FROM_PROCESS = "process"
FROM_LOCAL = "local"
FROM_NATIONAL = "national"


@dataclass(frozen=True)
class TimeLimit:
    """The legal time limit a dossier of one offering gets, as the receipt slip promises it.

    ``working_days``: whole working days; ``apply_cutoff``: whether a dossier received
    after the cut-off (15:00) counts from the next working day; ``source``: the internal
    process, the local limit of the offering or the national records.
    """

    working_days: int
    apply_cutoff: bool
    source: str


def whole_working_days(days: Decimal | int) -> int:
    """A time limit as the whole working days the receipt slip promises.

    Limits under a day (e.g. "4 giờ") are rounded up to one working day, never down to
    zero, which would make every such dossier late at once [simplification: the
    appointment of sub-day procedures is the end of the next working day's share].
    """
    return max(1, math.ceil(days))


def offering_time_limit(
    *,
    process_days: int | None,
    process_cutoff: bool,
    local_days: int | None,
    national_days: Decimal | None,
) -> TimeLimit | None:
    """The one time limit of a dossier of an offering; None when nothing gives one.

    The agency's internal process (its total, in working days) comes first: it is the
    province's published split of the legal limit (e.g. 3 working days for the Decree
    63/2024/NĐ-CP interconnected birth + residence + health-insurance group, where the
    national records still say 20 days). Then the offering's local limit (announced by
    the province, never longer than the national one), then the shortest national limit
    of the procedure's channels (``national_deadline_cap``). Without a process the 15:00
    cut-off applies (docs, "Channels and intake"; Decree 118/2025/NĐ-CP art. 15 practice).
    """
    if process_days:
        return TimeLimit(process_days, process_cutoff, FROM_PROCESS)
    if local_days:
        return TimeLimit(local_days, True, FROM_LOCAL)
    if national_days is not None and national_days > 0:
        return TimeLimit(whole_working_days(national_days), True, FROM_NATIONAL)
    return None


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


# --- Documents of an online application ----------------------------------------------
#
# The catalog lists a procedure's documents (thành phần hồ sơ) as the national portal
# shows them: papers to hand in, papers only shown at the counter ("giấy tờ phải xuất
# trình"), papers needed in some cases only, and remarks. An applicant filing online
# attaches an electronic copy of each paper to hand in (Decree 45/2020/NĐ-CP art. 9;
# Decree 118/2025/NĐ-CP art. 15): those the source words as conditional or as one of
# several alternatives are optional, papers only shown (or only for filing in person or
# by post) are not asked for. The source is free text, so this reads its wording; staff
# correct a record's group or name in the admin where it misleads.

DOCUMENT_REQUIRED = "required"
DOCUMENT_OPTIONAL = "optional"
DOCUMENT_IN_PERSON = "in_person"
DOCUMENT_REMARK = "remark"


@dataclass(frozen=True)
class DocumentRow:
    """One row of a procedure's documents, as the catalog holds it."""

    group: str
    name: str
    note: str = ""
    original_count: int = 0
    copy_count: int = 0


# Papers shown, not handed in: a group "Giấy tờ phải xuất trình" (but not "xuất trình hoặc
# gửi …"), or a row that starts with "Xuất trình".
_SHOWN = re.compile(r"\bxuat trinh\b")
_SENT = re.compile(r"\b(gui|nop|tai len|dinh kem)\b")
# A row or group for filing in person or by post only: "(nếu … nộp hồ sơ theo hình thức
# trực tiếp [hoặc gửi hồ sơ qua hệ thống bưu chính])", "Nộp trực tiếp".
_OTHER_CHANNEL = re.compile(
    r"(hinh thuc truc tiep|nop (ho so )?truc tiep|he thong buu chinh|qua buu chinh)"
)
_ONLINE_CHANNEL = re.compile(r"(truc tuyen|dien tu|cong dich vu cong|moi truong mang)")
# Conditional wording: "Trường hợp …", "Đối với …", "(i) Trường hợp …", "… trong trường
# hợp …", "… (nếu có)", "Tùy từng trường hợp", "Ngoài ra".
_ENUMERATOR = r"(\(?[0-9ivx]+(\.[0-9]+)*\)|[a-z0-9]\)|[0-9]+\.|[-+•]+)?\s*"
_CONDITIONAL_START = re.compile(
    rf"^{_ENUMERATOR}(truong hop|doi voi|tuy (tung |theo )?truong hop|ngoai ra|neu|luu y)\b"
)
_CONDITIONAL_INSIDE = re.compile(
    r"\b(trong truong hop|doi voi (cac )?truong hop|neu co|truong hop co)\b"
)
_ONE_OF = re.compile(r"\b(mot trong (cac|nhung|so)|hoac)\b")
# Headings that only introduce the list ("Giấy tờ phải nộp", "Thành phần hồ sơ gồm").
_HEADING = re.compile(r"^(giay to phai nop|thanh phan( ho so)?|ho so (gom|bao gom))\b")


def _is_in_person(group: str, name: str) -> bool:
    if _SHOWN.search(group) and not _SENT.search(group):
        return True
    if name.startswith("xuat trinh"):
        return True
    for text in (group, name):
        if _OTHER_CHANNEL.search(text) and not _ONLINE_CHANNEL.search(text):
            return True
    return False


def _is_case_group(group: str) -> bool:
    """A group naming one case among others ("Đăng ký thường trú vào chỗ ở hợp pháp do
    thuê, mượn, ở nhờ"), not a heading of the whole list nor a group for online filing."""
    return bool(group) and not _HEADING.match(group) and not _ONLINE_CHANNEL.search(group)


def online_document_uses(rows: Sequence[DocumentRow]) -> list[str]:
    """For each row: required, optional, in person only, or a remark (no paper).

    - a remark (no original, no copy) is not a document;
    - papers shown at the counter, and rows only for filing in person or by post, are
      in person only;
    - a row the source words as conditional ("Trường hợp …", "… trong trường hợp …",
      "(nếu có)"), a row of a conditional group, of a group of alternatives ("một trong
      các giấy tờ sau"), a row joined to the next by "hoặc", and the rows of a procedure
      that lists several cases (two or more case groups: the applicant is in one) are
      optional;
    - every other paper is required.
    """
    folded = [
        (fold(row.group), fold(row.name), fold(row.note), row.original_count or row.copy_count)
        for row in rows
    ]
    case_groups = {
        group
        for group, name, _note, counted in folded
        if counted and _is_case_group(group) and not _is_in_person(group, name)
    }
    several_cases = len(case_groups) > 1
    uses = []
    for index, (group, name, note, counted) in enumerate(folded):
        if not counted:
            uses.append(DOCUMENT_REMARK)
            continue
        if _is_in_person(group, name):
            uses.append(DOCUMENT_IN_PERSON)
            continue
        following = folded[index + 1][1] if index + 1 < len(folded) else ""
        previous = folded[index - 1][1] if index else ""
        optional = (
            bool(_CONDITIONAL_START.match(name))
            or bool(_CONDITIONAL_INSIDE.search(name))
            or "neu co" in note
            or bool(_CONDITIONAL_START.match(group))
            or bool(_ONE_OF.search(group) and _is_case_group(group))
            or name.endswith("hoac")
            or name.startswith("hoac ")
            or previous.endswith("hoac")
            or following.startswith("hoac ")
            or (several_cases and group in case_groups)
        )
        uses.append(DOCUMENT_OPTIONAL if optional else DOCUMENT_REQUIRED)
    return uses


def missing_documents(uses: Mapping[int, str], sent: Iterable[int]) -> list[int]:
    """The required documents (by key, in order) that came without a file."""
    given = set(sent)
    return [key for key, use in uses.items() if use == DOCUMENT_REQUIRED and key not in given]


def missing_document_message(name: str) -> str:
    """What an applicant is told when a required document came without a file."""
    short = name if len(name) <= 80 else name[:79].rstrip() + "…"
    return (
        f"Chưa đính kèm giấy tờ bắt buộc «{short}»: chọn tệp (PDF, JPEG hoặc PNG) của giấy tờ này."
    )
