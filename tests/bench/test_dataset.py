"""The kept benchmark data set is found again (``--keep``), and only when its sizes match."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench import dataset


@pytest.mark.django_db
def test_a_finished_data_set_is_reused_only_at_the_same_sizes() -> None:
    sizes = dataset.Sizes.for_scale(0.01)
    assert not dataset.is_complete(sizes)  # no marker yet
    dataset.mark_complete(sizes)
    assert dataset.is_complete(sizes)
    assert not dataset.is_complete(replace(sizes, customers=sizes.customers + 1))
