"""Selection rates per self-identified group at each stage: the four-fifths rule and Fisher's test.

Input: candidate_id, group, and one boolean column per stage, in the order candidates pass
them (``stages``): did the candidate pass it. Passing a stage needs passing the one before.
``group`` comes from voluntary self-identification, kept apart from the test and never shown
to graders or interviewers; a missing, empty or "prefer not to say" answer leaves the
candidate out of every rate, and ``not_disclosed`` counts them.

Per stage, a group's ``considered`` are its candidates who reached the stage (all of them at
the first stage, those who passed the previous one after), ``selected`` those who passed it,
and the selection rate selected / considered. With more than one stage, ``OVERALL`` rows
take everyone considered at the first stage and selected at the last. The reference group
is the one with the highest rate (the first by name on a tie); impact ratio = rate /
reference rate, flagged when below ``FOUR_FIFTHS`` (the Uniform Guidelines' rule of thumb).
Fisher's exact test (two-sided) compares each group's 2x2 table of selected / not selected
with the reference group's.

No verdict from tiny data: when a 2x2 cell is below ``MIN_CELL_COUNT`` or either group has
fewer than ``MIN_GROUP_SIZE`` considered, the row is ``small_sample``, its
``below_four_fifths`` is None ("cannot tell"), and a warning says so; the rates and the
p-value are still shown. No ratio is computed at a stage where no one was selected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reports.campaign_frames import FrameInvalid

FOUR_FIFTHS = 0.8
MIN_CELL_COUNT = 5
MIN_GROUP_SIZE = 30
NOT_DISCLOSED = "prefer not to say"
OVERALL = "overall"
COLUMNS = (
    "stage", "group", "considered", "selected", "rate", "reference_group", "impact_ratio",
    "fisher_p", "small_sample", "below_four_fifths",
)  # fmt: skip


@dataclass(frozen=True)
class FairnessReport:
    """``rates`` has one row per stage and group, with the columns of ``COLUMNS``."""

    stages: tuple[str, ...]
    rates: pd.DataFrame
    not_disclosed: int
    warnings: tuple[str, ...]


def _check(frame: pd.DataFrame, stages: tuple[str, ...]) -> None:
    if not stages:
        raise FrameInvalid(["fairness: name at least one stage"])
    missing = [column for column in ("candidate_id", "group", *stages) if column not in frame.columns]
    if missing:
        raise FrameInvalid([f"fairness: missing column(s) {', '.join(missing)}"])
    problems = [
        f"fairness: {stage}: {int(bad.sum())} row(s) not true or false"
        for stage in stages
        if (bad := ~frame[stage].isin([True, False])).any()
    ]
    if frame["candidate_id"].duplicated().any():
        problems.append("fairness: candidate_id: not unique")
    for earlier, later in zip(stages, stages[1:], strict=False):
        skipped = frame[later].astype(bool) & ~frame[earlier].astype(bool)
        if skipped.any():
            problems.append(
                f"fairness: {int(skipped.sum())} candidate(s) passed {later} without passing {earlier}"
            )
    if problems:
        raise FrameInvalid(problems)


def _is_disclosed(groups: pd.Series) -> pd.Series:
    text = groups.astype("string").str.strip()
    return groups.notna() & (text != "") & (text.str.casefold() != NOT_DISCLOSED)


def _compare(stage: str, counts: pd.DataFrame) -> pd.DataFrame:
    """Rates, impact ratios and Fisher p-values of one stage; ``counts`` is indexed by group."""
    tallies = {
        str(group): (int(considered), int(selected))
        for group, considered, selected in counts.sort_index().itertuples()
        if considered > 0
    }
    rates = {group: selected / considered for group, (considered, selected) in tallies.items()}
    if not rates:
        return pd.DataFrame(columns=list(COLUMNS))
    reference = max(rates, key=lambda group: rates[group])  # the first by name on a tie
    top_considered, top_selected = tallies[reference]
    rows = []
    for group, (considered, selected) in tallies.items():
        table = [[selected, considered - selected], [top_selected, top_considered - top_selected]]
        small = min(considered, top_considered) < MIN_GROUP_SIZE or min(table[0] + table[1]) < MIN_CELL_COUNT
        ratio = rates[group] / rates[reference] if rates[reference] > 0 else None
        p_value = None
        if group != reference:
            # Imported here: scipy.stats takes seconds to import, and only this report needs it.
            from scipy.stats import fisher_exact

            p_value = float(fisher_exact(np.array(table), alternative="two-sided").pvalue)
        rows.append(
            {
                "stage": stage,
                "group": group,
                "considered": considered,
                "selected": selected,
                "rate": rates[group],
                "reference_group": reference,
                "impact_ratio": ratio,
                "fisher_p": p_value,
                "small_sample": small,
                "below_four_fifths": None if small or ratio is None else ratio < FOUR_FIFTHS,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _warnings(rates: pd.DataFrame, not_disclosed: int) -> list[str]:
    warnings = []
    if not_disclosed:
        warnings.append(
            f"{not_disclosed} candidate(s) gave no group or preferred not to say; they are left out."
        )
    for stage, rows in rates.groupby("stage", sort=False):
        small = rows[rows["small_sample"]]
        if not small.empty:
            listed = ", ".join(f"{row.group} ({row.considered} considered)" for row in small.itertuples())
            warnings.append(
                f"{stage}: too few candidates to judge {listed}. A group needs {MIN_GROUP_SIZE} considered "
                f"and every selected / not selected count at least {MIN_CELL_COUNT}; no four-fifths "
                "finding is made for these rows."
            )
        if rows["impact_ratio"].isna().all():
            warnings.append(f"{stage}: no one was selected, so there are no rates to compare.")
    return warnings


def fairness_report(frame: pd.DataFrame, stages: tuple[str, ...]) -> FairnessReport:
    """Selection rates per group at each stage and overall; raises ``FrameInvalid`` on bad input."""
    _check(frame, stages)
    disclosed = _is_disclosed(frame["group"])
    rows = frame[disclosed]
    passed = rows[list(stages)].astype(bool)
    groups = rows["group"].astype(str).str.strip()
    steps = []
    reached = pd.Series(True, index=rows.index)
    for stage in stages:
        steps.append((stage, reached, passed[stage]))
        reached = passed[stage]
    if len(stages) > 1:
        steps.append((OVERALL, pd.Series(True, index=rows.index), passed[stages[-1]]))
    tables = [
        _compare(stage, pd.DataFrame({"considered": considered, "selected": selected}).groupby(groups).sum())
        for stage, considered, selected in steps
    ]
    filled = [table for table in tables if len(table)]
    rates = pd.concat(filled, ignore_index=True) if filled else tables[0]
    not_disclosed = int((~disclosed).sum())
    return FairnessReport(stages, rates, not_disclosed, tuple(_warnings(rates, not_disclosed)))
