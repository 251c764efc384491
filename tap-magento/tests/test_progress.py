"""What the command prints while it reads: rows of the total Magento counts (`total_count`),
share, rate and time left; and one summary table at the end listing every stream."""

from __future__ import annotations

import sys
from pathlib import Path

from tap_magento_support import TAP, admin_config

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from progress_lines import check_summary, run_command, shares


def test_run_prints_shares_of_the_total_and_one_table_of_every_stream(tmp_path, shop):
    records, deletes, stderr = run_command([TAP], admin_config(shop, page_size=5), tmp_path)
    assert len(records) == 7 and not deletes
    for stream in ("orders", "products", "customers"):
        lines = shares(stderr, stream)
        assert records[stream] > 5 and len(lines) >= 2, stream  # several pages
        assert {total for _, total, _, _ in lines} == {records[stream]}, stream
        assert [page for *_, page in lines] == list(range(1, len(lines) + 1)), stream
        assert [percent for _, _, percent, _ in lines] == [
            100 * done // total for done, total, _, _ in lines
        ], stream
        assert lines[0][0] == 5 and lines[-1][2] == 100, stream
    check_summary(records, deletes, stderr)
