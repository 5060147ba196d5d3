"""Template filters of the procedure pages (no database needed)."""

from __future__ import annotations

from motcua.catalog.models import ProcedureChannel
from motcua.catalog.templatetags.catalog_extras import fee_label, fee_note, online_tag_class, vnd


def test_fee_labels_read_like_a_citizen_expects() -> None:
    free = ProcedureChannel(fee_vnd=0, fee_text="Miễn phí")
    paid = ProcedureChannel(fee_vnd=20000, fee_text="20,000 VNĐ (Theo Thông tư 172/2010/TT-BTC)")
    unknown = ProcedureChannel(fee_vnd=None, fee_text="20 VNĐ (20.000 đồng/tờ khai)")
    assert (fee_label(free), fee_note(free)) == ("Miễn phí", "")
    assert (fee_label(paid), fee_note(paid)) == ("20.000 đồng", "Theo Thông tư 172/2010/TT-BTC")
    assert (fee_label(unknown), fee_note(unknown)) == ("20 VNĐ (20.000 đồng/tờ khai)", "")
    assert fee_label(ProcedureChannel(fee_vnd=None, fee_text="")) == "Không có thông tin"
    assert vnd(1234567) == "1.234.567 đồng"


def test_online_levels_have_tag_classes() -> None:
    assert online_tag_class("full_online") == "tag full"
    assert online_tag_class("unknown") == "tag muted"
    assert online_tag_class("anything") == "tag"
