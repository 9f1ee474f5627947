"""The server-drawn chart writes numbers the way the page's language does."""

from django.utils import translation

from tallies.charts import Series, bar_chart_svg


def chart() -> str:
    return str(
        bar_chart_svg(
            labels=["11:00", "12:00"],
            series=[Series(name="2018", values=[1500, 9000], fill="#005f99")],
            title="Per uur",
        )
    )


def test_dutch_groups_thousands_with_a_dot():
    with translation.override("nl"):
        svg = chart()
    assert ">2.000</text>" in svg
    assert "12:00: 9.000</title>" in svg


def test_english_groups_thousands_with_a_comma():
    # It used to write 2.000 on the English dashboard too.
    with translation.override("en"):
        svg = chart()
    assert ">2,000</text>" in svg
    assert "12:00: 9,000</title>" in svg
    assert "2.000" not in svg
