"""`cohort` writes its log-rank p-value as the window does (app.domain.labels.format_p_value):
"p < 0.001" below 0.001, else three decimals; never scientific notation."""
from __future__ import annotations

import json

from app.domain.labels import format_p_value
from tests.cli.helpers import call_cli


def test_cohort_text_writes_p_as_the_window_does(tmp_path):
    path = tmp_path / "demo.db"
    assert call_cli("--db", str(path), "seed-demo", "--patients", "45", "--seed", "5"
                    ).returncode == 0
    p = json.loads(call_cli("--db", str(path), "cohort", "--json").stdout)["logrank_closure"]["p"]
    text = call_cli("--db", str(path), "cohort").stdout
    line = next(x for x in text.splitlines() if x.startswith("log-rank"))
    assert line.endswith(format_p_value(p))
    assert "e-" not in line
