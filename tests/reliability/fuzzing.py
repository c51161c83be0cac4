"""Hypothesis strategies and settings shared by the fuzz tests: hostile cells, mutated JSON, damaged zips.

CI replays a fixed set of examples (``derandomize``) so that a red build always means a real,
reproducible defect; ``RELIABILITY_FUZZ_RANDOM=1`` explores fresh inputs and ``RELIABILITY_EXAMPLES``
raises the count; ``VALUTAZIONE_SOAK=1`` does both at soak scale (see README.md). Inputs that
ever failed are kept as files in ``corpus/`` and replayed by ``test_corpus.py``.
"""

from __future__ import annotations

import copy
import os
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Soak mode (``VALUTAZIONE_SOAK=1``, outside CI): fresh random inputs, SOAK_EXAMPLES per reader, so the
# seven readers see over 100,000 inputs in one run; ``test_crash.py`` multiplies its kill points.
SOAK = os.environ.get("VALUTAZIONE_SOAK") == "1"
SOAK_EXAMPLES = 15_000
EXAMPLES = int(os.environ.get("RELIABILITY_EXAMPLES", str(SOAK_EXAMPLES) if SOAK else "150"))
RANDOM = SOAK or os.environ.get("RELIABILITY_FUZZ_RANDOM") == "1"

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=5),  # generous: catches pathological parsing, not a slow CI machine
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)

# Values a platform export or a hand-edited file really contains, next to plain garbage.
TRICKY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "-0",
        "1e309",
        "1E5",
        "NaN",
        "sNaN",
        "Infinity",
        "-inf",
        "0x10",
        "1_000",
        "٣٤",
        "１２",
        "99999999999999999999999",
        "9" * 40,
        "1.2.3,4",
        "45.000",
        "45.000,5",
        "45000.505",
        "€ 45.000,00",
        "45000 €",
        "31/02/2018 10:00",
        "29/02/2019",
        "00/00/0000 00:00",
        "01/03/2018 25:61",
        "1/1/1 1:1",
        "01/01/9999 23:59",
        "01/01/0001 00:00",
        "2018-02-01T10:00:00",
        "\u00a0",
        "\ufeff",
        "\x00",
        "\x1b[2J\x1b[31mrosso",
        "fattura\u202efdp.exe",
        "\u2066isolato\u2069",
        "\x85",
        "\r\n",
        '"',
        ";",
        "|",
        "=1+1",
        "A.1",
        "Z.9",
        "0,8",
        "0.8",
        "1,0",
        "1",
        "0,85",
        "-0,1",
        "Bruno Verdi",
        "bruno verdi",
        "PG 101/2018",
        "PG  101/2018",
        "Lorenteggio – Giambellino",
        "zona 1",
        "APS",
        "RSSMRA80A01F205X",
        "97000000000",
    ]
)
CELL = st.one_of(TRICKY_TEXT, st.text(max_size=30), st.text(alphabet="0123456789.,-/: €", max_size=16))
XLSX_CELL = st.one_of(
    CELL,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(),
    st.dates(),
)
JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


@st.composite
def mutated_json(draw: st.DrawFn, original: dict[str, Any], rounds: int = 3) -> dict[str, Any]:
    """``original`` with one to ``rounds`` values replaced, deleted or duplicated somewhere inside."""
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, rounds))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = draw(st.sampled_from(["replace", "replace", "delete", "stringify"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[key]
        elif action == "stringify":
            parent[key] = str(parent[key])
        else:
            parent[key] = draw(JSON_VALUE)
    return data
