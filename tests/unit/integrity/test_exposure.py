import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from integrity.drift import facility_drift
from integrity.exposure import PoolExhausted, draw_less_exposed, exposure_counts, near_cap
from integrity.observations import ItemRef
from integrity.rules import IntegrityRules

RULES = IntegrityRules()
POOL = ["roi-a", "roi-b", "roi-c", "roi-d"]
ROI = ItemRef("roi-a", "v2")
DAY0 = datetime(2026, 9, 1, tzinfo=UTC)


def test_exposure_is_counted_per_item_version() -> None:
    shown = [ItemRef("roi-a", "v1"), ItemRef("roi-a", "v2"), ItemRef("roi-a", "v2")]
    assert exposure_counts(shown) == {ItemRef("roi-a", "v1"): 1, ItemRef("roi-a", "v2"): 2}


def test_draws_prefer_the_less_exposed_items() -> None:
    exposure = {"roi-a": 40, "roi-b": 0, "roi-c": 0, "roi-d": 10}
    rng = random.Random(7)
    drawn = Counter(item for _ in range(2000) for item in draw_less_exposed(POOL, 1, exposure, None, rng))
    assert drawn["roi-b"] > drawn["roi-d"] > drawn["roi-a"]
    assert abs(drawn["roi-b"] - drawn["roi-c"]) < 150


def test_repeated_draws_wear_a_pool_evenly() -> None:
    exposure: Counter[str] = Counter()
    rng = random.Random(3)
    for _ in range(400):
        exposure.update(draw_less_exposed(POOL, 2, exposure, None, rng))
    assert max(exposure.values()) - min(exposure.values()) <= 10


def test_an_item_at_its_cap_is_never_drawn() -> None:
    exposure = {"roi-a": 100, "roi-b": 99, "roi-c": 3, "roi-d": 100}
    rng = random.Random(1)
    drawn = {item for _ in range(200) for item in draw_less_exposed(POOL, 2, exposure, 100, rng)}
    assert drawn == {"roi-b", "roi-c"}


def test_a_pool_with_too_few_items_under_the_cap_says_so_instead_of_exceeding_it() -> None:
    with pytest.raises(PoolExhausted, match="needs 2 items but only 1 have been shown fewer than 100 times"):
        draw_less_exposed(POOL, 2, {"roi-a": 100, "roi-b": 100, "roi-c": 100}, 100, random.Random(1))


def test_items_near_their_cap_are_flagged_most_shown_first() -> None:
    exposure = {ItemRef("roi-a", "v2"): 79, ItemRef("roi-b", "v1"): 80, ItemRef("roi-c", "v1"): 100}
    flags = near_cap(exposure, 100, RULES)
    assert [flag.item.item_id for flag in flags] == ["roi-c", "roi-b"]
    assert (
        flags[0].text == "roi-c has been shown 100 times, 100% of its maximum of 100; it is no longer drawn"
    )
    assert flags[1].text == "roi-b has been shown 80 times, 80% of its maximum of 100"


def responses(facility: list[float]) -> list[tuple[datetime, float]]:
    return [(DAY0 + timedelta(days=day), value) for day, value in enumerate(facility)]


def test_a_facility_rising_over_time_is_flagged_as_drift() -> None:
    rng = random.Random(5)
    rising = [1.0 if rng.random() < 0.3 + 0.6 * day / 60 else 0.0 for day in range(60)]
    drift = facility_drift(ROI, responses(rising), RULES)
    assert drift is not None
    assert drift.drifting
    assert drift.tau > 0 and drift.p_value < 0.01 and drift.rise >= 0.1
    assert drift.text.startswith("roi-a: facility rose by")


def test_a_steady_facility_is_not_drift() -> None:
    rng = random.Random(6)
    steady = [1.0 if rng.random() < 0.5 else 0.0 for _ in range(80)]
    drift = facility_drift(ROI, responses(steady), RULES)
    assert drift is not None
    assert not drift.drifting
    assert drift.text == "roi-a: no upward drift in facility over 80 responses"


def test_drift_needs_a_minimum_sample() -> None:
    assert facility_drift(ROI, responses([0.0] * 15 + [1.0] * 14), RULES) is None
    drift = facility_drift(ROI, responses([1.0] * 40), RULES)
    assert drift is not None and not drift.drifting
