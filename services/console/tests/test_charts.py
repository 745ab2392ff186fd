"""Bar chart geometry."""

from __future__ import annotations

from sinergi_console.charts import PLOT_WIDTH, bar_chart


def test_bars_are_sorted_largest_first_and_scaled_to_the_largest() -> None:
    chart = bar_chart("Per platform", {"x": 5, "instagram": 20, "tiktok": 10}, {"x": "X"})
    assert [bar.label for bar in chart.bars] == ["instagram", "tiktok", "X"]
    assert [bar.width for bar in chart.bars] == [PLOT_WIDTH, PLOT_WIDTH // 2, PLOT_WIDTH // 4]
    assert chart.total == 35
    assert chart.bars[1].y > chart.bars[0].y
    assert chart.height >= chart.bars[-1].y


def test_unsorted_keeps_the_given_order_and_zero_counts_draw_no_bar() -> None:
    chart = bar_chart("Corong", {"invited": 0, "accepted": 0}, sort=False)
    assert [bar.label for bar in chart.bars] == ["invited", "accepted"]
    assert all(bar.width == 0 for bar in chart.bars)
    assert bar_chart("Kosong", {}).bars == []
