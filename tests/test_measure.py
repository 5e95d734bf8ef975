"""Cost measurements shared by lessons 04 and 05: parameters, wall time and peak memory, size on disk."""

import time

import numpy as np
import pytest
import torch

from helpers import measure


def test_measure_times_the_block_and_sees_memory_grow():
    with measure.measure("cpu") as cost:
        block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
        block[::512] += 1
    assert cost.seconds > 0
    assert cost.peak_mib > 32, cost.peak_mib
    assert "RSS" in cost.memory_kind
    del block


def test_measure_fills_in_even_when_the_block_fails():
    import math

    with pytest.raises(RuntimeError):
        with measure.measure("cpu") as cost:
            time.sleep(0.05)
            raise RuntimeError("boom")
    assert cost.seconds >= 0.05, cost.seconds  # the block's time, not the NaN a cost starts with
    assert not math.isnan(cost.peak_mib) and cost.peak_mib >= 0


def test_folder_size(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"x" * 1000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.json").write_bytes(b"y" * 24)
    assert measure.folder_size(tmp_path) == 1024
    assert measure.folder_size(tmp_path / "a.bin") == 1000
