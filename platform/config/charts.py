"""Charts for DOCX reports as PNG (matplotlib, no display: the Agg backend), with Russian
labels in DejaVu Sans, which matplotlib ships."""

from __future__ import annotations

import io
from collections.abc import Sequence


def bar_chart_png(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    horizontal: bool = True,
    maximum: float | None = None,
) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.figure import Figure

    del pyplot  # the Figure API only: no global state shared between threads
    height = max(2.2, 0.45 * len(labels) + 1.2) if horizontal else 3.4
    figure = Figure(figsize=(7.0, height), dpi=150)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    wrapped = [label if len(label) <= 45 else label[:44] + "…" for label in labels]
    if horizontal:
        bars = axes.barh(positions, list(values), color="#0d6efd")
        axes.set_yticks(positions, wrapped, fontsize=8)
        axes.invert_yaxis()
        if maximum is not None:
            axes.set_xlim(0, maximum)
        axes.bar_label(bars, fmt="%g", fontsize=8, padding=2)
    else:
        bars = axes.bar(positions, list(values), color="#0d6efd")
        axes.set_xticks(positions, wrapped, fontsize=8, rotation=20, ha="right")
        if maximum is not None:
            axes.set_ylim(0, maximum)
        axes.bar_label(bars, fmt="%g", fontsize=8, padding=2)
    axes.set_title(title, fontsize=10)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
