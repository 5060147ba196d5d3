"""Search over the full packaged catalog (2,642 procedures), on whichever database runs."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.agencies.models import Agency
from motcua.catalog.models import OnlineLevel, Procedure, ProcedureOffering
from motcua.catalog.queries import InvalidFilter, search_procedures
from motcua.catalog.tests.conftest import make_agency

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("full_catalog")]


def test_the_full_catalog_is_imported(full_catalog: Any) -> None:
    assert full_catalog.created + full_catalog.updated + full_catalog.unchanged == 2642
    assert full_catalog.bad == []
    assert Procedure.objects.count() >= 2642


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("dang ky ket hon", "Thủ tục đăng ký kết hôn"),
        ("đăng ký kết hôn", "Thủ tục đăng ký kết hôn"),
        ("DANG KY KET HON", "Thủ tục đăng ký kết hôn"),
        ("dang ki ket hon", "Thủ tục đăng ký kết hôn"),
        ("dang ky khai sinh", "Thủ tục đăng ký khai sinh"),
        ("Đăng ký khai sinh", "Thủ tục đăng ký khai sinh"),
        ("thủ tục đăng ký khai sinh", "Thủ tục đăng ký khai sinh"),
    ],
)
def test_the_plain_procedure_ranks_first(query: str, first: str) -> None:
    results, total = search_procedures(query)
    assert results[0].name == first
    assert total >= 5  # the variants (lưu động, có yếu tố nước ngoài, …) follow


def test_every_result_holds_every_query_word() -> None:
    results, total = search_procedures("dang ky ket hon", limit=100)
    assert total == len(results)
    for procedure in results:
        assert all(word in procedure.search_name for word in ("dang", "ki", "ket", "hon"))


def test_a_code_finds_that_procedure_first() -> None:
    results, total = search_procedures("1.001193")
    assert total == 1
    assert results[0].code == "1.001193" and results[0].name == "Thủ tục đăng ký khai sinh"


def test_the_start_of_a_code_lists_the_codes_in_order() -> None:
    results, total = search_procedures("1.00119", limit=100)
    codes = [p.code for p in results]
    assert "1.001193" in codes and total == len(codes)
    assert codes == sorted(codes) and all(code.startswith("1.00119") for code in codes)


def test_the_last_word_matches_as_a_prefix() -> None:
    results, _ = search_procedures("dang ky khai si")
    assert results[0].name == "Thủ tục đăng ký khai sinh"


def test_when_no_procedure_has_every_word_any_word_counts() -> None:
    results, total = search_procedures("khai sinh zzzkhongco")
    assert total > 0
    assert "khai sinh" in results[0].search_name


def test_nonsense_finds_nothing() -> None:
    assert search_procedures("zzzkhongco") == ([], 0)


def test_an_empty_query_lists_everything_by_name() -> None:
    results, total = search_procedures("", limit=50)
    assert total == Procedure.objects.filter(status="in_force").count() >= 2642
    keys = [(p.search_name, p.code) for p in results]
    assert keys == sorted(keys)


def test_pages_do_not_overlap_and_share_the_total() -> None:
    first, total = search_procedures("giay phep", limit=10, offset=0)
    second, total_again = search_procedures("giay phep", limit=10, offset=10)
    assert total == total_again > 20
    assert not {p.pk for p in first} & {p.pk for p in second}
    beyond, total_beyond = search_procedures("giay phep", limit=10, offset=10_000)
    assert beyond == [] and total_beyond == total


def test_level_filter() -> None:
    results, total = search_procedures("dang ky ket hon", level="commune", limit=100)
    assert total > 0 and all(p.level_commune for p in results)
    _, all_commune = search_procedures("", level="commune")
    assert all_commune == Procedure.objects.filter(level_commune=True).count()


def test_field_filter_with_and_without_query() -> None:
    _, civil_status = search_procedures("", field="ho-tich")
    assert civil_status == Procedure.objects.filter(field__name="Hộ tịch").count() > 10
    results, _ = search_procedures("khai sinh", field="ho-tich")
    assert results[0].name == "Thủ tục đăng ký khai sinh"
    taxes, total = search_procedures("dang ky", field="thue", limit=100)
    assert total > 0 and all(p.field.slug == "thue" for p in taxes)


def test_online_level_filter() -> None:
    results, total = search_procedures("", online_level="full_online", limit=100)
    assert total == Procedure.objects.filter(online_level=OnlineLevel.FULL_ONLINE).count() > 0
    assert all(p.online_level == "full_online" for p in results)


def test_agency_filter_keeps_procedures_the_agency_actively_offers() -> None:
    commune = make_agency(
        "H01.30307",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
        level=Agency.Level.COMMUNE,
        receives_dossiers=True,
    )
    birth = Procedure.objects.get(code="1.001193")
    marriage = Procedure.objects.get(code="1.000894")
    ProcedureOffering.objects.create(agency=commune, procedure=birth)
    ProcedureOffering.objects.create(agency=commune, procedure=marriage, is_active=False)

    results, total = search_procedures("", agency="H01.30307")
    assert [p.code for p in results] == ["1.001193"] and total == 1
    assert search_procedures("ket hon", agency=commune) == ([], 0)


def test_invalid_filter_values_are_refused() -> None:
    with pytest.raises(InvalidFilter) as error:
        search_procedures("", level="village")
    assert error.value.name == "level"
    with pytest.raises(InvalidFilter):
        search_procedures("", online_level="sometimes")


def test_results_carry_field_and_channels_without_more_queries(
    django_assert_max_num_queries: Any,
) -> None:
    with django_assert_max_num_queries(3):
        results, _ = search_procedures("dang ky khai sinh")
        summary = [(p.field.name, p.shortest_channel()) for p in results]
    assert summary[0][0] == "Hộ tịch"


def test_an_abbreviation_finds_the_names_that_spell_it_out() -> None:
    results, total = search_procedures("cấp cccd", limit=10)
    assert total > 0 and "can cuoc" in results[0].search_name
    assert any(p.name.startswith("Cấp thẻ căn cước") for p in results)


def test_a_partial_match_is_said_so() -> None:
    from django.test import Client

    from motcua.catalog.queries import search_catalog

    assert search_catalog("khai sinh zzzkhongco").partial
    assert not search_catalog("khai sinh").partial
    page = Client().get("/thu-tuc/", {"q": "khai sinh zzzkhongco"}).content.decode()
    assert "Không có thủ tục nào chứa đủ các từ" in page
    page = Client().get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
    assert "Không có thủ tục nào chứa đủ các từ" not in page
