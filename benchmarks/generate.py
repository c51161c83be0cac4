"""Seeded generator of synthetic calls for the benchmarks: N applications, M scoring members.

Why a generator and not the services: building a 20,000-application file through ``save_draft`` and
``submit`` one sheet at a time would take longer than the benchmarks themselves. So the rows are written
with SQLAlchemy Core bulk inserts, but every derived value is computed by the project's own code, so the
file is one the app and the services accept unchanged:

- applications are parsed by the real importer (``plan_import`` on the generated CSV), so protocols,
  dates, zones and ``content_sha256`` are exactly what an import would store;
- sheet hashes come from ``services.sheets.content_of`` + ``content_hash``;
- the audit log is a real hash chain (``audit.row_hash``) ending in ``bando.audit_head``;
- the provisional ranking is approved through ``services.ranking.approve``.

Outputs, cached under ``benchmarks/.cache/`` keyed by (N, M, seed) and the schema revision R (its page
size too: «0012-p16k»):

- ``domande-N-sS.csv``             the applications in the format of ``domande-esempio.csv`` (import bench);
- ``bando-N-mM-sS-rR.valutazione`` every member's sheets submitted, ranking v1 approved in session 1;
- ``merge-N-mM-sS-rR/``            a chair's file with no conflicts and no sheets, plus one signed return
                                    per scoring member carrying them (merge bench).
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import itertools
import random
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from valutazione import audit  # noqa: E402
from valutazione.audit import canonical_json  # noqa: E402
from valutazione.bando import Bando, default_template, load_bando  # noqa: E402
from valutazione.db import create_database  # noqa: E402
from valutazione.importers.domande import plan_import, read_table  # noqa: E402
from valutazione.importers.report import PlannedDomanda  # noqa: E402
from valutazione.models import (  # noqa: E402
    Allegato,
    Ammissibilita,
    AuditRow,
    BandoRow,
    Commissario,
    Conflitto,
    Dichiarazione,
    Domanda,
    Pacchetto,
    Presenza,
    Scheda,
    Seduta,
    Voto,
    ZonaRow,
)
from valutazione.seals.rows import SEAL_ACTION, SEAL_ACTOR, SEALED_TABLES, read_rows  # noqa: E402
from valutazione.seals.rules import rules_digest  # noqa: E402
from valutazione.services import ranking  # noqa: E402
from valutazione.services.committee import DEFAULT_DECLARATION  # noqa: E402
from valutazione.services.sheets import content_hash, content_of  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
HEADERS = (
    "Protocollo;Data invio;Denominazione;Forma giuridica;Codice fiscale;Partita IVA;Legale rappresentante;PEC;"
    "Titolo progetto;Zona;Costo totale;Contributo richiesto;Cofinanziamento;Durata mesi;Abstract;Allegati"
).split(";")
ALLOWED_FORMS = ("Associazione riconosciuta", "APS", "ODV", "Cooperativa sociale", "Impresa sociale", "Fondazione")
FORM_PREFIX = {
    "Associazione riconosciuta": "Associazione",
    "APS": "Associazione di promozione sociale",
    "ODV": "Organizzazione di volontariato",
    "Cooperativa sociale": "Cooperativa Sociale",
    "Impresa sociale": "Impresa Sociale",
    "Fondazione": "Fondazione",
}
FIRST = (
    "Paolo",
    "Chiara",
    "Omar",
    "Giulia",
    "Luca",
    "Sara",
    "Marco",
    "Elena",
    "Ahmed",
    "Francesca",
    "Davide",
    "Martina",
    "Yusuf",
    "Anna",
    "Matteo",
    "Irene",
    "Karim",
    "Valentina",
    "Stefano",
    "Laura",
)
LAST = (
    "Rossi",
    "Ricci",
    "Ferrari",
    "Conti",
    "El Amrani",
    "Bianchi",
    "Colombo",
    "Romano",
    "Galli",
    "Fontana",
    "Moretti",
    "Barbieri",
    "Lombardi",
    "Costa",
    "Mancini",
    "Greco",
    "Bruno",
    "Marino",
    "Rinaldi",
    "Villa",
)
NOUNS = (
    "Orti condivisi",
    "Ciclofficina sociale",
    "Portineria sociale",
    "Doposcuola multilingue",
    "Cucina di comunità",
    "Emporio solidale",
    "Laboratorio di riparazione",
    "Sportello di quartiere",
    "Biblioteca di condominio",
    "Teatro di cortile",
    "Palestra popolare",
    "Radio di quartiere",
    "Mercato a km zero",
    "Banca del tempo",
    "Falegnameria sociale",
    "Coworking per giovani",
    "Spazio compiti",
    "Cinema all'aperto",
)
PLACES = (
    "nei cortili popolari",
    "di quartiere",
    "per ragazzi",
    "per anziani soli",
    "nelle case ERP",
    "per famiglie fragili",
    "nel mercato comunale",
    "per donne migranti",
    "in piazza",
    "nei sottotetti",
)
NAMES = (
    "Il Giambellino",
    "Terre di Mezzo",
    "La Bottega del Quartiere",
    "Corvetto Insieme",
    "Ponti",
    "Semi di Periferia",
    "Officina Niguarda",
    "Casa della Carità",
    "San Siro Futura",
    "Lorenteggio Viva",
    "Rete Affori",
    "Mondo Bovisa",
    "Passaparola",
    "Il Cortile",
    "Fili di Quartiere",
    "Arcipelago",
    "Nuove Radici",
    "La Tela",
)
SENTENCES = (
    "Il progetto nasce dai bisogni rilevati nel quartiere attraverso un percorso di ascolto con gli abitanti.",
    "Le attività coinvolgono le famiglie delle case popolari e le associazioni già attive nella zona.",
    "Il modello prevede un presidio stabile aperto sei giorni alla settimana, con operatori e volontari.",
    "Il piano economico combina il contributo richiesto, il cofinanziamento dei partner e ricavi da servizi.",
    "Sono previsti laboratori per ragazzi, uno sportello di orientamento e momenti di socialità per gli anziani.",
    "La sostenibilità dopo il contributo è affidata a una rete di soci, a quote di servizio e a donazioni.",
    "Il partenariato comprende una cooperativa sociale, una scuola secondaria e il municipio.",
    "I risultati attesi sono misurati con indicatori di partecipazione, soddisfazione e autonomia economica.",
)
JUDGEMENTS = (
    "La proposta risponde in modo puntuale ai bisogni documentati del quartiere",
    "Il modello organizzativo è descritto con chiarezza ma la governance resta generica",
    "Il coinvolgimento dei gruppi vulnerabili è previsto ma poco dettagliato nelle modalità",
    "Il piano economico è congruo e i costi del personale sono motivati",
    "La capacità di proseguire dopo il contributo poggia su ricavi plausibili",
    "Il partenariato è solido e già attivo sul territorio",
    "Gli indicatori di risultato sono misurabili e coerenti con gli obiettivi",
    "Il valore per l'immagine della periferia è indiretto e poco argomentato",
    "L'esperienza del proponente in progetti analoghi è documentata",
    "La novità rispetto ai servizi esistenti nel municipio è limitata",
)
SEDUTA_DAY = date(2018, 4, 16)
SEDUTA_START = datetime(2018, 4, 16, 7, 30, tzinfo=UTC)  # 09:30 in Milan
SEDUTA_END = datetime(2018, 4, 16, 11, 15, tzinfo=UTC)  # 13:15 in Milan
EXCLUDED_SHARE = 0.04
CONFLICT_SHARE = 0.01
EXCLUSION_REASON = "Progetto non coerente con le finalità dell'avviso (art. 2): attività prevalentemente commerciale"
ADMISSIBLE_REASON = "Requisiti formali di ammissibilità verificati: nessuna irregolarità rilevata"


@dataclass(frozen=True)
class Spec:
    """One synthetic call: its size and the seed that makes it reproducible."""

    n: int
    members: int
    seed: int = 42

    @property
    def csv_path(self) -> Path:
        return CACHE / f"domande-{self.n}-s{self.seed}.csv"

    @property
    def db_path(self) -> Path:
        return CACHE / f"bando-{self.n}-m{self.members}-s{self.seed}-r{_schema()}.valutazione"

    @property
    def merge_dir(self) -> Path:
        return CACHE / f"merge-{self.n}-m{self.members}-s{self.seed}-r{_schema()}"


@lru_cache(maxsize=1)
def _schema() -> str:
    """The schema revision files are built at, and their page size: part of their cached names, so a new
    revision (a new index, a new table) or page size builds them again instead of timing a file the
    application would first have to upgrade, or no longer makes."""
    from valutazione.db import PAGE_SIZE, head_revision

    return f"{head_revision()}-p{PAGE_SIZE // 1024}k"


def member_names(m: int) -> list[tuple[str, str]]:
    """M scorers (a presidente and M-1 componenti) plus the secretary, who does not score."""
    scorers = [(f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}", "componente") for i in range(m)]
    scorers[0] = (scorers[0][0], "presidente")
    return [*scorers, ("Giorgio Sala", "segretario")]


def _tax_code(rng: random.Random, used: set[str]) -> str:
    from stdnum import luhn

    while True:
        body = f"{rng.randrange(1, 10**7):07d}" + f"{rng.randrange(1, 100):03d}"
        code = body + luhn.calc_check_digit(body)
        if code not in used:
            used.add(code)
            return code


def _euro(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return f"{whole:,}".replace(",", ".") + f",{rest:02d}"


def _text(rng: random.Random, pool: tuple[str, ...], low: int, high: int) -> str:
    """Sentences from ``pool`` until the text is between ``low`` and ``high`` characters."""
    target = rng.randint(low, high)
    parts: list[str] = []
    length = 0
    while length < target:
        parts.append(rng.choice(pool))
        length += len(parts[-1]) + 2
    text = ". ".join(p.rstrip(".") for p in parts) + "."
    return text[:high].rstrip() if len(text) > high else text


def write_csv(spec: Spec) -> Path:
    """The applications in the reference CSV format (UTF-8 with BOM, ``;``, Italian numbers and dates)."""
    if spec.csv_path.exists():
        return spec.csv_path
    bando = load_bando(default_template())
    rng = random.Random(f"domande-{spec.n}-{spec.seed}")
    used: set[str] = set()
    start = datetime(2018, 1, 15, 9, 0)
    span = int((datetime(2018, 3, 1, 11, 0) - start).total_seconds() // 60)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADERS)
    for i in range(spec.n):
        number = 101 + i
        form = rng.choice(ALLOWED_FORMS)
        name = f"{FORM_PREFIX[form]} {rng.choice(NAMES)} {number}"
        grant = rng.randrange(1_500_000, 5_000_001, 100)
        cofinancing = -(-grant * rng.randrange(12, 45) // 100 // 100) * 100
        title = f"{rng.choice(NOUNS)} {rng.choice(PLACES)}"
        person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        submitted = start + timedelta(minutes=rng.randrange(span))
        writer.writerow(
            [
                f"PG {number}/2018",
                submitted.strftime("%d/%m/%Y %H:%M"),
                name,
                form,
                _tax_code(rng, used),
                "",
                person,
                f"ente{number}@pec.it",
                title,
                rng.choice(bando.zones).name,
                _euro(grant + cofinancing),
                _euro(grant),
                _euro(cofinancing),
                rng.choice((12, 18, 24, 36)),
                _text(rng, SENTENCES, 250, 700),
                f"PG_{number}-2018_proposta.pdf",
            ]
        )
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = spec.csv_path.with_suffix(".tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8-sig")
    tmp.replace(spec.csv_path)
    return spec.csv_path


@dataclass
class _Plan:
    """Everything decided before writing, so the same seed gives the same call with or without sheets."""

    domande: list[PlannedDomanda]
    excluded: set[int]  # indexes into domande
    conflicts: set[tuple[int, int]]  # (member index, domanda index)
    marks: dict[tuple[int, int], list[tuple[str, Decimal, str]]]  # (member index, domanda index) → marks


def _plan(spec: Spec, bando: Bando) -> _Plan:
    report = plan_import(read_table(write_csv(spec)), bando, {})
    if report.refused or report.flags:
        raise RuntimeError(f"generated CSV not clean: {report.refused[:3]} {report.flags[:3]}")
    domande = list(report.domande)
    rng = random.Random(f"marks-{spec.n}-{spec.members}-{spec.seed}")
    excluded = {i for i in range(len(domande)) if rng.random() < EXCLUDED_SHARE}
    conflicts: set[tuple[int, int]] = set()
    marks: dict[tuple[int, int], list[tuple[str, Decimal, str]]] = {}
    scale = [s.value for s in bando.scale if s.value >= Decimal("0.3")]
    subs = [s.code for s in bando.subcriteria]
    for d in range(len(domande)):
        quality = rng.randrange(len(scale))  # applications differ; members roughly agree on each
        for m in range(spec.members):
            if d in excluded:
                continue
            if m > 0 and rng.random() < CONFLICT_SHARE:
                conflicts.add((m, d))
                continue
            marks[(m, d)] = [
                (
                    code,
                    scale[min(len(scale) - 1, max(0, quality + rng.randint(-2, 2)))],
                    _text(rng, JUDGEMENTS, 100, 300),
                )
                for code in subs
            ]
    return _Plan(domande, excluded, conflicts, marks)


class _Chain:
    """Appends audit rows exactly as ``audit.record`` would, continuing the file's existing chain."""

    def __init__(self, prev: str) -> None:
        self.prev = prev
        self.rows: list[dict[str, Any]] = []

    def add(self, at: datetime, actor: str, action: str, entity: str, entity_id: Any, after: Any) -> None:
        row = audit.chained_row(self.prev, at, actor, action, entity, entity_id, None, after)
        self.rows.append(row)
        self.prev = row["hash"]


def _times(start: datetime, count: int, span: timedelta) -> Iterator[datetime]:
    step = span / max(count, 1)
    for i in range(count):
        yield start + step * i


def _write(path: Path, spec: Spec, plan: _Plan, *, with_sheets: bool) -> dict[str, Any]:
    """Writes one file; returns what the returns need (member ids, names, file identity)."""
    template = default_template()
    bando = load_bando(template)
    people = member_names(spec.members)
    chair = people[0][0]
    db = create_database(path, bando, template.read_text(encoding="utf-8"), actor=chair)
    try:
        with db.engine.begin() as conn:
            head = conn.execute(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)).scalar_one()
            chain = _Chain(head)
            clock = (SEDUTA_START + timedelta(minutes=1, seconds=k) for k in itertools.count())
            ids = []
            for name, role in people:
                mid = conn.execute(
                    insert(Commissario).values(name=name, role=role, email="", created_at=next(clock))
                ).inserted_primary_key[0]
                ids.append(mid)
                chain.add(next(clock), chair, "commissario.aggiunto", "commissario", mid, {"nome": name, "ruolo": role})
            for (name, _), mid in zip(people, ids, strict=True):
                at = next(clock)
                conn.execute(insert(Dichiarazione).values(commissario_id=mid, declared_at=at, text=DEFAULT_DECLARATION))
                chain.add(
                    at, name, "dichiarazione.resa", "commissario", mid, {"testo": DEFAULT_DECLARATION, "data": at}
                )
            zone_ids = dict(conn.execute(select(ZonaRow.number, ZonaRow.id)).all())
            conn.execute(insert(Domanda), [_domanda_row(p, zone_ids) for p in plan.domande])
            dids = [r[0] for r in conn.execute(select(Domanda.id).order_by(Domanda.id))]
            conn.execute(
                insert(Allegato),
                [
                    {"domanda_id": did, "filename": a.filename, "sha256": None}
                    for did, p in zip(dids, plan.domande, strict=True)
                    for a in p.attachments
                ],
            )
            decided = SEDUTA_START + timedelta(minutes=10)
            locked_at = decided
            rules_json = conn.execute(select(BandoRow.rules_json)).scalar_one()
            chain.add(
                locked_at,
                chair,
                "bando.regole_bloccate",
                "bando",
                bando.code,
                {"bloccate": True, "sha256": rules_digest(rules_json)},
            )
            conn.execute(
                insert(Ammissibilita),
                [
                    {
                        "domanda_id": did,
                        "outcome": "esclusa" if i in plan.excluded else "ammissibile",
                        "reason": EXCLUSION_REASON if i in plan.excluded else ADMISSIBLE_REASON,
                        "decided_at": decided,
                        "decided_by": chair,
                    }
                    for i, did in enumerate(dids)
                ],
            )
            for i, p in enumerate(plan.domande):
                excluded = i in plan.excluded
                chain.add(
                    decided,
                    chair,
                    "ammissibilita.decisa",
                    "domanda",
                    p.protocol,
                    {
                        "esito": "esclusa" if excluded else "ammissibile",
                        "motivo": EXCLUSION_REASON if excluded else ADMISSIBLE_REASON,
                    },
                )
            if with_sheets:
                _conflicts_and_sheets(conn, spec, plan, bando, people, ids, dids, chain)
            else:
                conn.execute(
                    insert(Pacchetto),
                    [
                        {
                            "commissario_id": ids[m],
                            "direction": "uscita",
                            "sequence": 1,
                            "content_sha256": _package_sha(spec, m),
                            "at": decided,
                        }
                        for m in range(spec.members)
                    ],
                )
                held = [p.protocol for i, p in enumerate(plan.domande) if i not in plan.excluded]
                for m in range(spec.members):  # what the package gave the member: its return may answer only that
                    chain.add(
                        decided,
                        chair,
                        "pacchetto.esportato",
                        "commissario",
                        str(ids[m]),
                        {"commissario": people[m][0], "sequenza": 1, "domande": held, "sha256": _package_sha(spec, m)},
                    )
                for m in range(spec.members):
                    conn.execute(
                        Commissario.__table__.update()
                        .where(Commissario.id == ids[m])
                        .values(public_key=_key(spec, m)[1])
                    )
            seduta_id = conn.execute(
                insert(Seduta).values(
                    number=1,
                    day=SEDUTA_DAY,
                    start_time="09:30",
                    end_time="13:15",
                    place="Comune di Milano, Palazzo Marino – sala delle commissioni",
                    agenda="1. Ammissibilità formale\n2. Esame delle schede\n3. Graduatoria provvisoria",
                    notes="",
                    opened_at=SEDUTA_START,
                    remote=False,
                )
            ).inserted_primary_key[0]
            conn.execute(
                insert(Presenza), [{"seduta_id": seduta_id, "commissario_id": mid, "present": True} for mid in ids]
            )
            for table_name, model in SEALED_TABLES.items():  # as the session hook seals rows the services write
                for row_id, digest in read_rows(conn, model.__table__):
                    chain.add(
                        SEDUTA_START + timedelta(hours=4),
                        SEAL_ACTOR,
                        SEAL_ACTION,
                        table_name,
                        row_id,
                        {"sha256": digest},
                    )
            conn.execute(insert(AuditRow), chain.rows)
            conn.execute(
                BandoRow.__table__.update().values(
                    audit_head=chain.prev,
                    rules_locked_at=locked_at,
                    appointment_act="Determinazione n. 27/2018 (sintetica)",
                    appointment_date=date(2018, 3, 5),
                )
            )
            uuid_ = conn.execute(select(BandoRow.file_uuid)).scalar_one()
        if with_sheets:
            with db.sessions.begin() as s:
                ranking.approve(s, ranking.PROVISIONAL, chair, "Approvazione in seduta n. 1", seduta_id)
        return {"ids": ids, "people": people, "file_uuid": uuid_, "code": bando.code}
    finally:
        db.close()


def _domanda_row(p: PlannedDomanda, zone_ids: dict[int, int]) -> dict[str, Any]:
    return {
        "protocol": p.protocol,
        "submitted_at": p.submitted_at,
        "applicant": p.applicant,
        "legal_form": p.legal_form,
        "tax_code": p.tax_code,
        "vat_number": p.vat_number,
        "legal_representative": p.legal_representative,
        "pec": p.pec,
        "title": p.title,
        "zone_text": p.zone_text,
        "zona_id": None if p.zone_number is None else zone_ids[p.zone_number],
        "total_cost_cents": p.total_cost_cents,
        "grant_cents": p.grant_cents,
        "cofinancing_cents": p.cofinancing_cents,
        "duration_months": p.duration_months,
        "abstract": p.abstract,
        "batch_id": None,
        "source_row": p.row,
        "content_sha256": p.content_sha256,
    }


def _sheet_content(bando: Bando, name: str, protocol: str, marks: list[tuple[str, Decimal, str]]) -> dict[str, object]:
    """The canonical content through the service's own ``content_of`` (duck-typed rows, no ORM cost)."""
    voti = [SimpleNamespace(sub_code=c, value=v, motivazione=t) for c, v, t in marks]
    return content_of(
        bando,
        SimpleNamespace(name=name),
        SimpleNamespace(protocol=protocol),  # type: ignore[arg-type]
        SimpleNamespace(voti=voti),
    )  # type: ignore[arg-type]


def _conflicts_and_sheets(
    conn: Any,
    spec: Spec,
    plan: _Plan,
    bando: Bando,
    people: list[tuple[str, str]],
    ids: list[int],
    dids: list[int],
    chain: _Chain,
) -> None:
    declared = SEDUTA_START + timedelta(minutes=15)
    rows = []
    for m in range(spec.members):
        name = people[m][0]
        for i, p in enumerate(plan.domande):
            if i in plan.excluded:
                continue
            conflict = (m, i) in plan.conflicts
            reason = "Parente entro il secondo grado nel consiglio direttivo" if conflict else ""
            rows.append(
                {
                    "commissario_id": ids[m],
                    "domanda_id": dids[i],
                    "has_conflict": conflict,
                    "reason": reason,
                    "declared_at": declared,
                }
            )
            chain.add(
                declared,
                name,
                "conflitto.dichiarato" if conflict else "conflitto.assente",
                "domanda",
                p.protocol,
                {"commissario": name, "conflitto": conflict, "motivo": reason},
            )
    conn.execute(insert(Conflitto), rows)
    keys = sorted(plan.marks)
    times = iter(_times(SEDUTA_START + timedelta(minutes=30), len(keys), timedelta(hours=3)))
    sheet_rows, hashes = [], []
    for m, i in keys:
        at = next(times)
        content = _sheet_content(bando, people[m][0], plan.domande[i].protocol, plan.marks[(m, i)])
        digest = content_hash(content)
        sheet_rows.append(
            {
                "commissario_id": ids[m],
                "domanda_id": dids[i],
                "state": "inviata",
                "updated_at": at,
                "submitted_at": at,
                "content_hash": digest,
                "revision": 2,
            }
        )
        hashes.append((at, people[m][0], content, digest))
    conn.execute(insert(Scheda), sheet_rows)
    sheet_ids = dict(
        ((mid, did), sid) for sid, mid, did in conn.execute(select(Scheda.id, Scheda.commissario_id, Scheda.domanda_id))
    )
    votes = []
    for (m, i), (at, name, content, digest) in zip(keys, hashes, strict=True):
        sid = sheet_ids[(ids[m], dids[i])]
        votes.extend({"scheda_id": sid, "sub_code": c, "value": v, "motivazione": t} for c, v, t in plan.marks[(m, i)])
        chain.add(at, name, "scheda.inviata", "scheda", sid, {**content, "hash": digest})
    conn.execute(insert(Voto), votes)


def _key(spec: Spec, m: int) -> tuple[Any, str]:
    """A deterministic Ed25519 key per member (the seed makes the returns reproducible, byte for byte)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"key-{spec.seed}-{m}".encode()).digest())
    return private, private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _package_sha(spec: Spec, m: int) -> str:
    return hashlib.sha256(f"package-{spec.n}-{spec.members}-{spec.seed}-{m}".encode()).hexdigest()


def _write_returns(spec: Spec, plan: _Plan, info: dict[str, Any], folder: Path) -> list[Path]:
    """One signed return per scoring member, in the format ``sync.returns.make_return`` writes."""
    from valutazione.sync.archive import write_zip
    from valutazione.sync.returns import FORMAT, FORMAT_VERSION, PAYLOAD, SIGNATURE

    bando = load_bando(default_template())
    declared = SEDUTA_START + timedelta(minutes=15)
    paths = []
    for m in range(spec.members):
        name = info["people"][m][0]
        private, public = _key(spec, m)
        conflicts, sheets = [], []
        for i, p in enumerate(plan.domande):
            if i in plan.excluded:
                continue
            conflict = (m, i) in plan.conflicts
            conflicts.append(
                {
                    "protocol": p.protocol,
                    "has_conflict": conflict,
                    "declared_at": declared,
                    "reason": "Parente entro il secondo grado nel consiglio direttivo" if conflict else "",
                }
            )
            if (m, i) in plan.marks:
                marks = plan.marks[(m, i)]
                at = declared + timedelta(seconds=i)
                sheets.append(
                    {
                        "protocol": p.protocol,
                        "state": "inviata",
                        "revision": 2,
                        "updated_at": at,
                        "submitted_at": at,
                        "content_hash": content_hash(_sheet_content(bando, name, p.protocol, marks)),
                        "marks": [{"sub_code": c, "value": str(v), "motivazione": t} for c, v, t in marks],
                    }
                )
        payload = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "bando_code": info["code"],
            "file_uuid": info["file_uuid"],
            "member_id": info["ids"][m],
            "member_name": name,
            "sequence": 1,
            "package_sha256": _package_sha(spec, m),
            "created_at": SEDUTA_START + timedelta(hours=1),
            "public_key": public,
            "declaration": {"declared_at": declared, "text": DEFAULT_DECLARATION},
            "conflicts": conflicts,
            "sheets": sheets,
        }
        raw = canonical_json(payload).encode("utf-8")
        out = folder / f"ritorno-{m + 1}.valret"
        write_zip(out, [(PAYLOAD, raw), (SIGNATURE, base64.b64encode(private.sign(raw)) + b"\n")])
        paths.append(out)
    return paths


def generate(spec: Spec) -> Path:
    """The ready file for ``spec`` (built once, then served from the cache)."""
    if spec.db_path.exists():
        return spec.db_path
    bando = load_bando(default_template())
    plan = _plan(spec, bando)
    tmp = spec.db_path.with_name(spec.db_path.name + ".partial")
    _cleanup(tmp)
    _write(tmp, spec, plan, with_sheets=True)
    tmp.replace(spec.db_path)
    _cleanup(tmp)
    return spec.db_path


def generate_merge(spec: Spec) -> tuple[Path, list[Path]]:
    """A chair's file before the returns, and the M signed returns (built once, then cached)."""
    base = spec.merge_dir / "presidente.valutazione"
    if not base.exists():
        shutil.rmtree(spec.merge_dir, ignore_errors=True)
        spec.merge_dir.mkdir(parents=True)
        plan = _plan(spec, load_bando(default_template()))
        tmp = spec.merge_dir / "partial.valutazione"
        info = _write(tmp, spec, plan, with_sheets=False)
        _write_returns(spec, plan, info, spec.merge_dir)
        tmp.replace(base)
        _cleanup(tmp)
    return base, sorted(spec.merge_dir.glob("ritorno-*.valret"))


def merge_all(chair: Path, returns: list[Path]) -> None:
    """``returns`` merged into the chair's file, each in its own transaction as a chair imports them."""
    from valutazione.db import open_database
    from valutazione.sync.merge import merge_return

    db = open_database(chair)
    try:
        for ret in returns:
            with db.sessions.begin() as s:
                merge_return(s, ret)
    finally:
        db.close()


def merged_copy(base: Path, returns: list[Path], target: Path) -> Path:
    """A copy of the chair's ``base`` file at ``target`` with ``returns`` merged (``merge_all``), closed."""
    shutil.copy(base, target)
    merge_all(target, returns)
    return target


def _cleanup(path: Path) -> None:
    for p in (
        path,
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-shm"),
        path.with_name(path.name + ".lock"),
    ):
        p.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=1000, help="applications")
    parser.add_argument("-m", type=int, default=5, help="scoring members")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--merge", action="store_true", help="also the chair's file and returns for the merge")
    args = parser.parse_args(argv)
    spec = Spec(args.n, args.m, args.seed)
    print(generate(spec))
    if args.merge:
        print(*generate_merge(spec), sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
