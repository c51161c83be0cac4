"""A ready demo file: the Milan call evaluated by its committee up to the provisional ranking.

Built only through the services, exactly as a committee would act, so the demo doubles as an
end-to-end check of the procedure. The committee's choices on the sample's flagged rows:

- PG 104/2018 (invalid tax code): a tax code can be an administrative slip, so the committee asks for it
  through *soccorso istruttorio* (10 days); the applicant does not regularise, the request is closed
  *non integrata* and the application is excluded. The sample scores have no sheets for it, consistently.
- PG 108 (outside the target zones), PG 112 (S.r.l., a for-profit form), PG 116 (over the cap) and
  PG 120 (co-financing under 10 %) are excluded; PG 128 (after the deadline) is *non ricevibile*.
- PG 123/2018 reached the platform twice: the importer keeps one row and refuses the copy, and PG 132
  (no amount requested) is refused as unreadable. PG 123 is an application like the others, but the
  sample scores file skips it, so its three paper sheets, typed in later, come from
  ``resources/demo/punteggi-schede-cartacee.csv``.

The committee meets once, in session n. 1, held as the demo is built (today, from that minute): its
minutes report the decisions logged in the session's hours, and the demo takes them then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from valutazione.bando import default_template, load_bando
from valutazione.db import create_database, remove_sidecars
from valutazione.importers.domande import import_domande
from valutazione.paths import resource
from valutazione.services import admissibility, committee, conflicts, lookup, ranking, scores_csv, sedute, sheets

CHAIR = "Laura Fumagalli"
MEMBERS = (
    (CHAIR, "presidente"),
    ("Nadia Cattaneo", "componente"),
    ("Stefano Brambilla", "componente"),
    ("Giorgio Sala", "segretario"),
)
APPOINTMENT = ("Determinazione dirigenziale n. 27/2018 (esempio)", date(2018, 3, 5))
EXCLUSIONS = (
    ("PG 108/2018", admissibility.ESCLUSA, "Progetto localizzato fuori dalle zone bersaglio dell'avviso (Brera)"),
    (
        "PG 112/2018",
        admissibility.ESCLUSA,
        "Proponente costituito in forma di S.r.l.: ente a scopo di lucro, non tra le forme giuridiche ammesse",
    ),
    ("PG 116/2018", admissibility.ESCLUSA, "Contributo richiesto (€ 65.000,00) superiore al massimale di € 50.000,00"),
    ("PG 120/2018", admissibility.ESCLUSA, "Cofinanziamento pari al 5% del costo totale, inferiore al minimo del 10%"),
    (
        "PG 128/2018",
        admissibility.NON_RICEVIBILE,
        "Domanda inviata il 02/03/2018 alle 09:15, dopo la scadenza del 01/03/2018 ore 12:00",
    ),
)
RESCUE = ("PG 104/2018", "Codice fiscale dell'ente corretto, con certificato di attribuzione", date(2018, 3, 12))


def build_demo(path: str | Path) -> Path:
    """Creates ``path`` with the whole sample procedure done; removes the file if any step fails."""
    path = Path(path)
    template = default_template()
    db = create_database(path, load_bando(template), template.read_text(encoding="utf-8"), actor=CHAIR)
    try:
        with db.sessions.begin() as s:
            import_domande(
                s,
                resource("demo", "domande-esempio.csv"),
                allegati=resource("demo", "allegati"),
                skip_invalid=True,
                actor=CHAIR,
            )
            ids = {name: committee.add_member(s, name, role, CHAIR).id for name, role in MEMBERS}
            committee.set_appointment(s, APPOINTMENT[0], APPOINTMENT[1], CHAIR)
            seduta = _open_session(s, ids.values())
            for member_id in ids.values():
                committee.declare_general(s, member_id)
            _admissibility(s)
            for name in (CHAIR, "Nadia Cattaneo", "Stefano Brambilla"):
                for d in conflicts.assigned_domande(s, ids[name]):
                    conflicts.declare(s, ids[name], d.id, False)
            for scores in ("punteggi-esempio.csv", "punteggi-schede-cartacee.csv"):
                scores_csv.import_scores(s, resource("demo", scores), CHAIR)
            for name in (CHAIR, "Nadia Cattaneo", "Stefano Brambilla"):
                sheets.submit_all_complete(s, ids[name])
            ranking.approve(s, ranking.PROVISIONAL, CHAIR, "Approvazione in seduta n. 1", seduta.id)
    except BaseException:
        db.close()
        path.unlink(missing_ok=True)
        remove_sidecars(path)
        raise
    db.close()
    return path


def _open_session(s: Session, present: Iterable[int]) -> sedute.SedutaRecord:
    """Session n. 1, opened before the committee's work: today, from this minute, for an hour.

    The minutes report the decisions logged within the session's day and hours (``verbale_data``), and
    the demo takes them as it is built: a session dated on the call's own calendar (April 2018) would
    print «nessuna decisione» under an agenda that lists them all.
    """
    now = datetime.now(ZoneInfo(lookup.rules(s).timezone))  # the call's, as the minutes read it
    end = min(now + timedelta(hours=1), now.replace(hour=23, minute=59))
    return sedute.record_seduta(
        s,
        now.date(),
        f"{now:%H:%M}",
        f"{end:%H:%M}",
        "Comune di Milano, Palazzo Marino, Piazza della Scala 2 – sala delle commissioni",
        "1. Insediamento della commissione e dichiarazioni dei componenti\n"
        "2. Esito della verifica di ammissibilità formale e del soccorso istruttorio\n"
        "3. Esame delle schede di valutazione e dei punteggi\n"
        "4. Approvazione della graduatoria provvisoria",
        present,
        CHAIR,
        notes="La commissione discute i sottocriteri con valutazioni distanti segnalati dal sistema e "
        "conferma i punteggi dei singoli commissari.",
    )


def _admissibility(s: Session) -> None:
    protocol, documents, requested = RESCUE
    d = lookup.domanda_by_protocol(s, protocol)
    rescue = admissibility.request_rescue(s, d.id, documents, CHAIR, requested)
    admissibility.close_rescue(
        s, rescue.id, "non_integrata", date(2018, 3, 23), CHAIR, "Nessuna integrazione pervenuta entro il termine"
    )
    admissibility.decide(
        s,
        d.id,
        admissibility.ESCLUSA,
        "Codice fiscale non valido, non regolarizzato entro il termine del soccorso istruttorio",
        CHAIR,
    )
    for protocol, outcome, reason in EXCLUSIONS:
        admissibility.decide(s, lookup.domanda_by_protocol(s, protocol).id, outcome, reason, CHAIR)
    admissibility.mark_all_admissible(
        s, CHAIR, "Requisiti formali di ammissibilità verificati: nessuna irregolarità rilevata"
    )
