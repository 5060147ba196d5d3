"""Dossiers with a story, built through the services, for the tests of several apps.

:func:`paused_and_finished` is the dossier a new user found confusing: the clock stopped
for one working day while the applicant completed it, then finished the morning after
the receipt's appointment — on time, since the paused day is not counted.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from motcua.accounts.models import User
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Action
from motcua.dossiers.services import perform_action, submit_online
from motcua.portal.applications import Registration, register_citizen
from motcua.testing.personas import APPLICANT, DOCUMENTS, PASSWORD, Province

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def august(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant of August 2025 in Vietnam (Friday 8 to Thursday 14 are working days)."""
    return datetime(2025, 8, day, hour, minute, second, tzinfo=VN)


#: The receipt's appointment (3 working days from Fri 8/8 13:54) and the one in force once
#: the paused working day is added.
APPOINTMENT = august(13, 13, 54)
CURRENT_APPOINTMENT = august(14, 13, 54)
FINISHED = august(14, 8, 6)


def citizen() -> User:
    """The applicant's own account on the portal (login: her ID number)."""
    return register_citizen(
        Registration(
            full_name=APPLICANT.name,
            id_number=APPLICANT.id_number,
            phone=APPLICANT.phone,
            email="",
            password=PASSWORD,
        )
    )


def supplemented(p: Province, applicant: User) -> Dossier:
    """Filed online by ``applicant``, received Fri 8/8/2025 13:54:10; a supplement asked
    Mon 11/8 10:00:50 and sent Tue 12/8 10:00:10 ("10:00 to 10:00": one working day
    paused). Back at the commune's justice unit."""
    d = submit_online(
        offering=p.offering,
        applicant=APPLICANT,
        documents=DOCUMENTS,
        acting_user=applicant,
        at=august(8, 10, 12),
    )
    d = perform_action(d, Action.ACCEPT, acting_user=p.counter, at=august(8, 13, 54, 10))
    d = perform_action(d, Action.FORWARD, acting_user=p.counter, at=august(8, 14, 0, 20))
    d = perform_action(
        d,
        Action.REQUEST_SUPPLEMENT,
        acting_user=p.specialist,
        reason="Bản sao giấy chứng nhận kết hôn của cha mẹ",
        at=august(11, 10, 0, 50),
    )
    return perform_action(d, Action.SUPPLEMENT, acting_user=applicant, at=august(12, 10, 0, 10))


def paused_and_finished(p: Province, applicant: User) -> Dossier:
    """:func:`supplemented`, then through the police and the social insurance to the
    leader's signature on Thu 14/8 08:06 (result ready). Appointment 13:54 13/08; with the
    pause, 13:54 14/08."""
    d = supplemented(p, applicant)
    d = perform_action(d, Action.FORWARD, acting_user=p.specialist, at=august(12, 11))
    d = perform_action(d, Action.FORWARD, acting_user=p.police_officer, at=august(13, 9))
    d = perform_action(d, Action.SUBMIT_FOR_SIGNATURE, acting_user=p.insurer, at=august(13, 14))
    return perform_action(d, Action.SIGN, acting_user=p.leader, at=FINISHED)
