"""The whole sample procedure through the command line, checked against numbers computed here independently."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from valutazione.cli import main

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo"
MAXIMA = {"A.1": 15, "A.2": 12, "A.3": 8, "B.1": 15, "B.2": 10, "B.3": 10, "C.1": 12, "C.2": 12, "C.3": 6}
THRESHOLDS = {"A": Decimal(14), "B": Decimal(14), "C": Decimal(12)}
BUDGET, CAP = 112_810_000, 5_000_000
MEMBERS = (
    ("Laura Fumagalli", "presidente"),
    ("Nadia Cattaneo", "componente"),
    ("Stefano Brambilla", "componente"),
    ("Giorgio Sala", "segretario"),
)
DECISIONS = (  # the flagged rows of the sample and what the committee decides, with its reason
    ("--exclude", "PG 104/2018", "Codice fiscale non valido, non regolarizzato entro il termine del soccorso"),
    ("--exclude", "PG 108/2018", "Progetto fuori dalle zone bersaglio (Brera)"),
    ("--exclude", "PG 112/2018", "Forma giuridica (S.r.l.) non ammessa: ente a scopo di lucro"),
    ("--exclude", "PG 116/2018", "Contributo richiesto oltre il massimale di € 50.000"),
    ("--exclude", "PG 120/2018", "Cofinanziamento inferiore al 10% del costo totale"),
    ("--not-receivable", "PG 128/2018", "Domanda pervenuta dopo la scadenza del 01/03/2018 ore 12:00"),
)
# PG 123/2018 reached the platform twice (the importer keeps one row): the sample scores skip it, so its
# sheets arrive later, typed in from paper.
LATE_SHEETS = {"Laura Fumagalli": "0,8", "Nadia Cattaneo": "0,7", "Stefano Brambilla": "0,9"}


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *args: str | Path) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out


def rank_json(capsys: pytest.CaptureFixture[str], file: Path, *extra: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(ok(capsys, "rank", file, "--json", *extra))
    return result


def expected_ranking(score_files: list[Path]) -> tuple[list[tuple[str, str, str, int]], int]:
    """Independent recomputation: mean coefficient × maximum, half-up to 2 places, thresholds, A-B-C-date chain,
    partial funding. Returns (protocol, total, status, grant cents) in ranking order, and the total allocated."""
    marks: dict[str, dict[str, list[Decimal]]] = {}
    for path in score_files:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh, delimiter=";"):
                value = Decimal(row["Coefficiente"].replace(",", "."))
                marks.setdefault(row["Protocollo"], {}).setdefault(row["Sottocriterio"], []).append(value)
    requests: dict[str, tuple[int, datetime]] = {}
    with (DEMO / "domande-esempio.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            amount = row["Contributo richiesto"].replace(".", "").replace(",", ".")
            if amount:
                requests[row["Protocollo"]] = (
                    int(Decimal(amount) * 100),
                    datetime.strptime(row["Data invio"], "%d/%m/%Y %H:%M"),
                )
    eligible = []
    for protocol, subs in marks.items():
        points = {}
        for code, values in subs.items():
            exact = Fraction(sum(values)) / len(values) * MAXIMA[code]
            points[code] = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        crit = {c: sum((v for k, v in points.items() if k.startswith(c)), Decimal(0)) for c in "ABC"}
        total = sum(crit.values(), Decimal(0))
        if total >= 60 and all(crit[c] >= THRESHOLDS[c] for c in "ABC"):
            eligible.append((protocol, total, crit))
    eligible.sort(key=lambda e: (-e[1], -e[2]["A"], -e[2]["B"], -e[2]["C"], requests[e[0]][1]))
    remaining, result = BUDGET, []
    for protocol, total, _ in eligible:
        want = min(requests[protocol][0], CAP)
        if want <= remaining:
            remaining -= want
            result.append((protocol, f"{total:.2f}", "finanziata", want))
        elif remaining > 0:
            result.append((protocol, f"{total:.2f}", "finanziata_parzialmente", remaining))
            remaining = 0
        else:
            result.append((protocol, f"{total:.2f}", "ammessa_non_finanziata", 0))
    return result, BUDGET - remaining


def test_full_sample_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Import, committee, admissibility, scores, submission, ranking (checked independently), approvals, sliding."""
    file = tmp_path / "x.valutazione"
    ok(capsys, "new", file)
    ok(capsys, "import", file, DEMO / "domande-esempio.csv", "--skip-invalid", "--allegati", DEMO / "allegati")
    for name, role in MEMBERS:
        ok(capsys, "members", "add", file, name, "--role", role)
    code, _, err = run(capsys, "scores", "import", file, DEMO / "punteggi-esempio.csv")
    assert code == 2 and "non ha reso la dichiarazione generale" in err  # the declarations gate
    for name, _ in MEMBERS:
        ok(capsys, "declare", file, "--member", name)
    code, _, err = run(capsys, "admissibility", file, "--exclude", "PG 104/2018")
    assert code == 2 and "motivo" in err
    for option, protocol, reason in DECISIONS:
        ok(capsys, "admissibility", file, option, protocol, "--reason", reason)
    assert "Dichiarate ammissibili 32 domande" in ok(capsys, "admissibility", file, "--all-admissible")
    assert "837 punteggi in 93 schede" in ok(capsys, "scores", "import", file, DEMO / "punteggi-esempio.csv")
    for name, _ in MEMBERS[:3]:
        assert "Inviate 31 schede" in ok(capsys, "scores", "submit", file, "--member", name)

    first = rank_json(capsys, file)
    assert first["state"] == "calcolata" and first["version"] is None
    assert {w["kind"] for w in first["warnings"] if w["protocol"] == "PG 123/2018"} == {"scheda_mancante", "quorum"}
    ok(capsys, "rank", file, "--approve", "provvisoria")
    code, _, err = run(capsys, "rank", file, "--approve", "definitiva")
    assert code == 2 and "PG 123/2018" in err and "quorum" in err

    late = tmp_path / "punteggi-pg123.csv"
    late.write_text(
        "Commissario;Protocollo;Sottocriterio;Coefficiente;Motivazione\n"
        + "".join(
            f"{member};PG 123/2018;{code};{value};Scheda cartacea trascritta\n"
            for member, value in LATE_SHEETS.items()
            for code in MAXIMA
        ),
        encoding="utf-8",
    )
    ok(capsys, "scores", "import", file, late)
    for name in LATE_SHEETS:
        ok(capsys, "scores", "submit", file, "--member", name)

    ranking = rank_json(capsys, file)
    expected, allocated = expected_ranking([DEMO / "punteggi-esempio.csv", late])
    ranked = [r for r in ranking["rows"] if r["position"] is not None]
    assert [
        (r["protocol"], r["points"]["total"], r["status"], int(Decimal(r["grant"]) * 100)) for r in ranked
    ] == expected
    assert [r["position"] for r in ranked] == list(range(1, len(expected) + 1))
    assert ranking["allocated"] == f"{Decimal(allocated) / 100:.2f}"
    assert ranking["remaining"] == f"{Decimal(BUDGET - allocated) / 100:.2f}" and ranking["budget"] == "1128100.00"
    first_row = ranked[0]
    assert first_row["points"] == {"A": "31.00", "B": "31.33", "C": "27.80", "total": "90.13"}
    statuses = {r["protocol"]: r["status"] for r in ranking["rows"]}
    assert statuses["PG 112/2018"] == "esclusa" and statuses["PG 115/2018"] == "non_ammessa"

    ok(capsys, "rank", file, "--approve", "provvisoria")
    final = rank_json(capsys, file, "--approve", "definitiva")
    assert (final["state"], final["version"], final["fingerprint"]) == ("definitiva", 3, ranking["fingerprint"])
    assert rank_json(capsys, file)["state"] == "definitiva"

    funded = ranked[0]["protocol"]
    assert "scorrimento" in ok(capsys, "renounce", file, funded, "--reason", "Rinuncia via PEC del 10/05/2018")
    slid = rank_json(capsys, file)
    assert (slid["state"], slid["version"]) == ("provvisoria", 4)
    gone = next(r for r in slid["rows"] if r["protocol"] == funded)
    assert (gone["status"], gone["grant"]) == ("rinunciataria", "0.00")
    # Everyone eligible was already funded, so the freed money stays unallocated.
    assert Decimal(slid["allocated"]) == Decimal(allocated) / 100 - Decimal(ranked[0]["grant"])


def test_tie_refused_until_draw(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Through the CLI: a tie left after the whole chain blocks the definitiva until the draw is recorded."""
    file = tmp_path / "tie.valutazione"
    ok(capsys, "new", file)
    rows = "".join(
        line + "\n"
        for line in (
            "Protocollo;Data invio;Denominazione;Forma giuridica;Codice fiscale;Partita IVA;Legale rappresentante;PEC;"
            "Titolo progetto;Zona;Costo totale;Contributo richiesto;Cofinanziamento;Durata mesi;Abstract;Allegati",
            "PG 1/2018;10/02/2018 10:00;Ente Uno;APS;93369950154;;Anna Uno;uno@pec.it;Progetto uno;"
            "Lorenteggio – Giambellino;50.000,00;40.000,00;10.000,00;12;Uno.;",
            "PG 2/2018;10/02/2018 10:00;Ente Due;APS;05975410159;;Bruno Due;due@pec.it;Progetto due;"
            "Lorenteggio – Giambellino;50.000,00;40.000,00;10.000,00;12;Due.;",
        )
    )
    (tmp_path / "domande.csv").write_text(rows, encoding="utf-8")
    ok(capsys, "import", file, tmp_path / "domande.csv", "--skip-invalid")
    for name, role in MEMBERS[:3]:
        ok(capsys, "members", "add", file, name, "--role", role)
        ok(capsys, "declare", file, "--member", name)
    ok(capsys, "admissibility", file, "--all-admissible")
    values = {"Laura Fumagalli": ("0,9", "0,7"), "Nadia Cattaneo": ("0,8", "0,8"), "Stefano Brambilla": ("0,7", "0,9")}
    scores = tmp_path / "punteggi.csv"
    scores.write_text(
        "Commissario;Protocollo;Sottocriterio;Coefficiente;Motivazione\n"
        + "".join(
            f"{member};PG {n}/2018;{code};{pair[n - 1]};Motivata\n"
            for member, pair in values.items()
            for n in (1, 2)
            for code in MAXIMA
        ),
        encoding="utf-8",
    )
    ok(capsys, "scores", "import", file, scores)
    for name in values:
        ok(capsys, "scores", "submit", file, "--member", name)
    ranking = rank_json(capsys, file, "--approve", "provvisoria")
    assert [r["tie"] for r in ranking["rows"]] == ["T1", "T1"]
    code, _, err = run(capsys, "rank", file, "--approve", "definitiva")
    assert code == 2 and "Parità non risolta tra PG 1/2018, PG 2/2018" in err
    ok(capsys, "draw", file, "--order", "PG 2/2018,PG 1/2018")
    final = rank_json(capsys, file, "--approve", "definitiva")
    assert [(r["position"], r["protocol"], r["tie"]) for r in final["rows"]] == [
        (1, "PG 2/2018", None),
        (2, "PG 1/2018", None),
    ]
