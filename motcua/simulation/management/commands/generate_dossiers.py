"""``motcua generate-dossiers --count N [--seed S] [--months M] [--bulk]``: demo dossiers.

Default: every dossier is made by the real services (receipt, handovers, supplement,
apology, signature, return… with ``at=`` instants in working time), see
:mod:`motcua.simulation.generator`. ``--bulk`` writes large volumes directly for
benchmarks (:mod:`motcua.simulation.bulk`). Needs the demo province, staff, procedures and
processes (``motcua demo --no-serve``).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from types import SimpleNamespace
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Max
from tqdm import tqdm

from motcua.dossiers.models import CHANNEL_CHOICES, TIMELINESS_CHOICES, Dossier
from motcua.dossiers.rules import STATUS_LABELS_VI, Status

CHANNEL_LABELS = dict(CHANNEL_CHOICES)
TIMELINESS_LABELS = dict(TIMELINESS_CHOICES)


class Command(BaseCommand):
    help = (
        "Sinh hồ sơ mẫu qua các nghiệp vụ thật (tiếp nhận, chuyển xử lý, bổ sung, xin lỗi, "
        "ký, trả kết quả…) trong N tháng gần đây. Cần dữ liệu mẫu của «motcua demo»."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="số hồ sơ cần sinh")
        parser.add_argument("--seed", type=int, default=2025, help="hạt giống ngẫu nhiên")
        parser.add_argument(
            "--months", type=int, default=4, help="rải hồ sơ trong bao nhiêu tháng gần đây"
        )
        parser.add_argument(
            "--bulk",
            action="store_true",
            help="ghi hàng loạt trực tiếp (nhanh, cho đo hiệu năng) thay vì qua nghiệp vụ",
        )
        parser.add_argument("--no-progress", action="store_true", help="không hiện tiến trình")

    def handle(self, *args: Any, **options: Any) -> None:
        count, seed, months = options["count"], options["seed"], options["months"]
        if count < 1:
            raise CommandError("--count phải lớn hơn 0.")
        if months < 1:
            raise CommandError("--months phải lớn hơn 0.")
        show = not options["no_progress"] and options["verbosity"] >= 1
        with tqdm(
            total=count, desc="Sinh hồ sơ", unit="hs", file=sys.stderr, disable=not show
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar.update(done - bar.n)

            if options["bulk"]:
                self._summary(self._bulk(count, seed, months, progress))
            else:
                self._summary(self._services(count, seed, months, progress))

    def _services(self, count: int, seed: int, months: int, progress: Any) -> Any:
        from motcua.simulation.generator import (
            GenerationError,
            ensure_generator_staff,
            generate_dossiers,
        )

        ensure_generator_staff()
        try:
            return generate_dossiers(count, seed=seed, months=months, progress=progress)
        except GenerationError as exc:
            raise CommandError(str(exc)) from exc

    def _bulk(self, count: int, seed: int, months: int, progress: Any) -> Any:
        """Direct writes for volume; the summary counts the rows made by this run."""
        try:
            from motcua.simulation.bulk import generate_bulk
        except ImportError as exc:
            raise CommandError("chế độ --bulk chưa sẵn sàng") from exc
        last = Dossier.objects.aggregate(last=Max("pk"))["last"] or 0
        started = time.monotonic()
        created = generate_bulk(count, seed=seed, months=months, progress=progress)
        seconds = time.monotonic() - started
        made = Dossier.objects.filter(pk__gt=last)
        return SimpleNamespace(
            created=created,
            seconds=seconds,
            by_status=dict(made.values_list("status").annotate(n=Count("pk")).order_by()),
            by_timeliness=dict(
                made.exclude(timeliness="")
                .values_list("timeliness")
                .annotate(n=Count("pk"))
                .order_by()
            ),
            by_channel=dict(made.values_list("channel").annotate(n=Count("pk")).order_by()),
        )

    def _summary(self, report: Any) -> None:
        out = self.stdout
        created = report.created
        seconds = float(getattr(report, "seconds", 0.0) or 0.0)
        rate = f" ({created / seconds:.1f} hồ sơ/giây)" if seconds > 0 else ""
        out.write(self.style.SUCCESS(f"Đã sinh {created} hồ sơ trong {seconds:.1f} giây{rate}."))
        by_status: Counter[str] = Counter(getattr(report, "by_status", None) or {})
        if by_status:
            out.write("Theo trạng thái:")
            for status in Status:
                if by_status[status.value]:
                    out.write(f"  {STATUS_LABELS_VI[status]:<45} {by_status[status.value]:>6}")
        timeliness: Counter[str] = Counter(getattr(report, "by_timeliness", None) or {})
        if timeliness:
            parts = [f"{label} {timeliness[key]}" for key, label in TIMELINESS_LABELS.items()]
            out.write("Đã giải quyết: " + " · ".join(parts))
        channels: Counter[str] = Counter(getattr(report, "by_channel", None) or {})
        if channels:
            parts = [f"{label} {channels[key]}" for key, label in CHANNEL_LABELS.items()]
            out.write("Kênh nộp: " + " · ".join(parts))
        apologies = getattr(report, "apologies", 0)
        late: Counter[str] = Counter(getattr(report, "late_agencies", None) or {})
        if apologies or late:
            names = ", ".join(f"{name} ({n})" for name, n in late.most_common(5))
            out.write(f"Xin lỗi, hẹn lại: {apologies} · Trễ hạn do: {names or '—'}")
