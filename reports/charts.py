"""Report charts as PNG images, each with the title and alt text a page needs to show it accessibly.

Figures are drawn on matplotlib's Agg canvas directly, never through pyplot: pyplot keeps
global figure state, which is neither thread-safe under a web server nor pure.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

BANDS = np.arange(0, 101, 10)
# Dark enough for 4.5:1 contrast on white, and told apart by hatching as well as colour.
COLOURS = ("#1f4e79", "#a14a00")
HATCHES = ("", "//")
SIZE_INCHES = (7.5, 3.6)
DPI = 110


@dataclass(frozen=True)
class Chart:
    title: str
    alt_text: str
    png: bytes

    def data_uri(self) -> str:
        """The PNG as a ``data:`` URI, so that an exported page needs no other file."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    # No software/date metadata: the same data gives the same bytes.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _band_labels() -> list[str]:
    return [f"{low}-{low + 9}" if low < 90 else "90-100" for low in BANDS[:-1]]


def _describe(name: str, values: pd.Series, counts: np.ndarray) -> str:
    if values.empty:
        return f"{name}: none yet."
    bands = ", ".join(f"{label}: {int(count)}" for label, count in zip(_band_labels(), counts, strict=True))
    return f"{name}: {len(values)} candidates, median {values.median():.1f}; per band {bands}."


def score_distribution_chart(test_percents: pd.Series, combined_scores: pd.Series) -> Chart:
    """How many candidates fall in each 10-point band, of test percent and of combined score.

    NaN (not available yet) is left out, never counted in the 0-9 band.
    """
    title = "Score distribution"
    series = [("Test %", test_percents.dropna()), ("Combined %", combined_scores.dropna())]
    figure = Figure(figsize=SIZE_INCHES, layout="constrained")
    axes = figure.add_subplot()
    positions = np.arange(len(BANDS) - 1)
    width = 0.4
    descriptions = []
    for offset, ((name, values), colour, hatch) in enumerate(zip(series, COLOURS, HATCHES, strict=True)):
        counts, _ = np.histogram(values.to_numpy(dtype=float), bins=BANDS)
        axes.bar(
            positions + (offset - 0.5) * width, counts, width, label=name, color=colour,
            hatch=hatch, edgecolor="white",
        )  # fmt: skip
        descriptions.append(_describe(name, values, counts))
    axes.set_xticks(positions, _band_labels())
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set(title=title, xlabel="Percent (10-point bands)", ylabel="Candidates")
    axes.legend(frameon=False)
    alt_text = "Bar chart of candidates per 10-point percent band. " + " ".join(descriptions)
    return Chart(title, alt_text, _png(figure))


def section_profile_chart(summary: pd.DataFrame) -> Chart:
    """The campaign's mean percent per section, with each section's lowest and highest.

    ``summary`` has section (the title shown), candidates, mean, min and max
    (``campaign_report.section_summary``).
    """
    title = "Section profile"
    shown = summary[summary["candidates"] > 0]
    figure = Figure(figsize=SIZE_INCHES, layout="constrained")
    axes = figure.add_subplot()
    labels = shown["section"].astype(str).tolist()
    means = shown["mean"].to_numpy(dtype=float)
    axes.barh(labels, means, color=COLOURS[0])
    low, high = means - shown["min"].to_numpy(dtype=float), shown["max"].to_numpy(dtype=float) - means
    axes.errorbar(means, labels, xerr=[low, high], fmt="none", ecolor="#222222", capsize=4)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set(title=title, xlabel="Mean % (bars), lowest to highest % (whiskers)", ylabel="Section")
    if shown.empty:
        axes.text(0.5, 0.5, "No final section scores yet", ha="center", va="center", transform=axes.transAxes)
        alt_text = "Section profile: no final section scores yet."
    else:
        columns = zip(labels, means, shown["min"], shown["max"], shown["candidates"], strict=True)
        parts = [
            f"{label}: mean {mean:.1f} %, from {lowest:.1f} % to {highest:.1f} % ({count} candidates)"
            for label, mean, lowest, highest, count in columns
        ]
        alt_text = "Horizontal bar chart of the mean percent per test section. " + "; ".join(parts) + "."
    return Chart(title, alt_text, _png(figure))
