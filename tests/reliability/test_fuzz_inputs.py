"""Fuzzing the readers of outside files: applications (CSV, XLSX), members' scores (CSV), call rules (TOML).

Every test feeds hostile inputs through the real entry point on a real file and holds the readers to
``readers.py``'s contract: a result or a ``ValutazioneError``, never another exception, never a hang,
never a half-written database.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.reliability import readers, scenario
from tests.reliability.fuzzing import CELL, FUZZ, TRICKY_TEXT, XLSX_CELL, mutated_json
from valutazione.bando import Bando, bando_from_mapping, default_template
from valutazione.db import Database, create_database
from valutazione.errors import ValutazioneError

VALID_ROW = [
    "PG 1/2018", "17/02/2018 12:07", "Cooperativa Sociale Il Giambellino", "Cooperativa sociale", "88833000156", "",
    "Paolo El Amrani", "ilgiambellino@pec.it", "Orti condivisi", "Lorenteggio – Giambellino", "56.460,00",
    "44.504,00", "11.956,00", "24", "Abstract.", "PG_101-2018_proposta.pdf",
]  # fmt: skip


def report(capsys: pytest.CaptureFixture[str], name: str, counts: Counter[str]) -> None:
    known = f", {counts['difetto noto']} sul difetto noto (corpus, xfail)" if counts["difetto noto"] else ""
    with capsys.disabled():
        print(
            f"\n[fuzz] {name}: {sum(counts.values())} input, {counts['accettati']} accettati, "
            f"{counts['rifiutati']} rifiutati con messaggio{known}"
        )


def tally(counts: Counter[str], feed: Callable[[], readers.Outcome]) -> None:
    """Counts one input's outcome; a crash already reported (``readers.KNOWN_DEFECTS``) is counted, not raised."""
    try:
        outcome = feed()
    except Exception as exc:
        if readers.known_defect(exc) is None:
            raise
        counts["difetto noto"] += 1
        return
    counts["accettati" if outcome.accepted else "rifiutati"] += 1


@pytest.fixture
def chair_file(tmp_path: Path, milano: Bando) -> Iterator[Database]:
    db = create_database(tmp_path / "presidente.valutazione", milano)
    scenario.committee_file(db, 3)
    yield db
    db.close()


@st.composite
def platform_rows(draw: st.DrawFn, cell: st.SearchStrategy[Any]) -> list[list[Any]]:
    """A header (sometimes shuffled, renamed or short) and rows that are valid ones with cells spoiled."""
    header: list[Any] = list(scenario.HEADER)
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    for _ in range(draw(st.integers(0, 2))):
        header[draw(st.integers(0, len(header) - 1))] = draw(cell)
    if draw(st.integers(0, 5)) == 0:
        header = header[: draw(st.integers(0, len(header)))]
    rows = [header]
    for n in range(draw(st.integers(0, 5))):
        if draw(st.integers(0, 4)) == 0:
            rows.append(draw(st.lists(cell, max_size=20)))
            continue
        row: list[Any] = list(VALID_ROW)
        row[0] = f"PG {draw(st.integers(1, 40))}/2018"
        for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2, 4]))):  # one spoiled cell reaches the deepest code
            row[draw(st.integers(0, len(row) - 1))] = draw(cell)
        rows.append(row[: draw(st.integers(len(row) - 2, len(row)))] if n % 3 == 2 else row)
    return rows


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 5)) == 0:
        return draw(st.binary(max_size=600))
    buffer = io.StringIO(newline="")
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    writer = csv.writer(
        buffer,
        delimiter=draw(st.sampled_from([";", ",", "\t"])),
        quoting=quoting,
        lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])),
    )
    writer.writerows(draw(platform_rows(CELL)))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "mixed"]))
    if encoding == "mixed":  # a UTF-8 export with lines pasted from a Windows-1252 one
        lines = buffer.getvalue().splitlines(keepends=True)
        data = b"".join(line.encode("cp1252" if draw(st.booleans()) else "utf-8", "replace") for line in lines)
    else:
        data = buffer.getvalue().encode(encoding, "replace")
    if draw(st.integers(0, 5)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


def xlsx_bytes(rows: list[list[Any]]) -> bytes | None:
    """A real workbook with these rows; None when openpyxl itself refuses a value (not our reader's job)."""
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    try:
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        wb.save(out)
    except Exception:
        return None
    return out.getvalue()


def test_fuzz_applications_csv(chair_file: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Any CSV export is imported, or refused with a message and nothing written (rows or file)."""
    counts: Counter[str] = Counter()

    @FUZZ
    @given(data=csv_bytes(), skip=st.booleans())
    def check(data: bytes, skip: bool) -> None:
        path = tmp_path / "domande.csv"
        path.write_bytes(data)
        tally(counts, lambda: readers.feed_domande(chair_file, path, skip_invalid=skip))

    check()
    report(capsys, "domande CSV", counts)
    assert scenario.integrity(chair_file.path) == [("ok",)] and scenario.chain_of(chair_file.path).ok


def test_fuzz_applications_xlsx(chair_file: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Any XLSX export (odd cell types, damaged zip) is imported or refused with a message, nothing written."""
    counts: Counter[str] = Counter()

    @FUZZ
    @given(rows=platform_rows(XLSX_CELL), cut=st.one_of(st.none(), st.floats(0, 1)), skip=st.booleans())
    def check(rows: list[list[Any]], cut: float | None, skip: bool) -> None:
        data = xlsx_bytes(rows)
        assume(data is not None)
        assert data is not None
        if cut is not None:
            data = data[: int(len(data) * cut)]
        path = tmp_path / "domande.xlsx"
        path.write_bytes(data)
        tally(counts, lambda: readers.feed_domande(chair_file, path, skip_invalid=skip))

    check()
    report(capsys, "domande XLSX", counts)
    assert scenario.integrity(chair_file.path) == [("ok",)] and scenario.chain_of(chair_file.path).ok


@st.composite
def scores_bytes(draw: st.DrawFn, protocols: list[str]) -> bytes:
    """Mostly valid scores with a few fields spoiled; sometimes garbage bytes or a wrong header."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=400))
    header = "Commissario;Protocollo;Sottocriterio;Coefficiente;Motivazione"
    if draw(st.integers(0, 9)) == 0:
        header = draw(st.text(max_size=60))
    spoilers = [
        st.sampled_from([scenario.SECRETARY, "Ignoto Rossi", "bruno verdi"]) | CELL,
        st.sampled_from(["PG 999/2018", "pg 101/2018"]) | CELL,
        st.sampled_from(["A", "Z.9", "a.1", " A.1"]) | CELL,
        TRICKY_TEXT | CELL,
        st.sampled_from(["", "x" * 140_000]) | st.text(max_size=40),
    ]
    lines = [header]
    for _ in range(draw(st.integers(0, 8))):
        cells = [
            draw(st.sampled_from(scenario.SCORERS)),
            draw(st.sampled_from(protocols)),
            draw(st.sampled_from(["A.1", "A.2", "B.1", "C.3"])),
            draw(st.sampled_from(["0,8", "0.6", "1"])),
            "Motivato.",
        ]
        for _ in range(draw(st.integers(0, 2))):
            field = draw(st.integers(0, 4))
            cells[field] = draw(spoilers[field])
        if draw(st.integers(0, 9)) == 0:
            cells = cells[: draw(st.integers(0, 5))]
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=";", lineterminator="").writerow(cells)
        lines.append(buffer.getvalue())
    return "\r\n".join(lines).encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])), "replace")


def test_fuzz_scores_csv(chair_file: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """Any scores CSV is imported whole or refused whole, with a message and no score written."""
    with chair_file.sessions() as s:
        from valutazione.models import Domanda

        protocols = [d.protocol for d in s.query(Domanda)]
    counts: Counter[str] = Counter()

    @FUZZ
    @given(data=scores_bytes(protocols))
    def check(data: bytes) -> None:
        tally(counts, lambda: readers.feed_punteggi(chair_file, data))

    check()
    report(capsys, "punteggi CSV", counts)
    assert scenario.integrity(chair_file.path) == [("ok",)] and scenario.chain_of(chair_file.path).ok


TEMPLATE = default_template().read_text(encoding="utf-8")
TOML_VALUES = st.sampled_from([
    "0", "-1", "1e400", "nan", "inf", "-0.0", "1_000_000", "0x1F", '""', '"x"', '"1.128.100,00"', "[]", "[1, 2]",
    "{}", "true", "1979-05-27", "1979-05-27T07:32:00Z", "07:32:00", '"2018-02-30 12:00"', '"Europe/Atlantide"',
    "99999999999999999999", '"0,0000000001"', '["A", "A"]', "[[1]]",
])  # fmt: skip


@st.composite
def toml_texts(draw: st.DrawFn) -> str:
    lines = TEMPLATE.splitlines()
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(st.text(max_size=300))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        if kind == 1:
            del lines[i]
        elif "=" in lines[i]:
            key = lines[i].split("=", 1)[0]
            lines[i] = f"{key}= {draw(TOML_VALUES | st.integers().map(str))}"
    return "\n".join(lines)


def test_fuzz_call_rules_toml(capsys: pytest.CaptureFixture[str]) -> None:
    """Any TOML text gives valid rules or a BandoError naming the key; accepted rules survive storage."""
    counts: Counter[str] = Counter()

    @FUZZ
    @given(text=toml_texts())
    def check(text: str) -> None:
        tally(counts, lambda: readers.feed_bando(text))

    check()
    report(capsys, "bando TOML (testo)", counts)


def test_fuzz_call_rules_structure(capsys: pytest.CaptureFixture[str]) -> None:
    """Any value of any type under any key of the rules gives valid rules or a ValutazioneError."""
    original = tomllib.loads(TEMPLATE)
    counts: Counter[str] = Counter()

    @FUZZ
    @given(data=mutated_json(original))
    def check(data: dict[str, Any]) -> None:
        def feed() -> readers.Outcome:
            try:
                with readers.no_hang():
                    bando_from_mapping(data, "fuzz")
            except ValutazioneError as exc:
                return readers.Outcome(False, str(exc))
            return readers.Outcome(True, "")

        tally(counts, feed)

    check()
    report(capsys, "bando (struttura)", counts)
