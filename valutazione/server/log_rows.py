"""Which log rows a member's login may append on a server: the rows the committee's papers take as facts.

The minutes (valutazione/reports/verbale_data.py) print an admissibility decision, a draw, a reopening,
an approval from its log row alone, without its author; the seals' check (valutazione/seals) takes a
send, a reopening, a rules' hash, a seal from the log as the truth the stored data must match, and reads
them with fixed spellings (``int(entity_id)``, ``{"sha256":"…"}``). Any login may append in its own name,
so without these rules a member with ``psql`` could put a decision nobody took into the signed minutes,
make intact data read as tampered, or make every check fail on a row it cannot parse — for good, since
the log is append-only — and with it every approval, export and merge, which require intact seals.

So, for a login (the owner, who merges returns and migrates, is not bound): a decision only in a role that
takes it in the application (the role that may write the decided table in valutazione/server/policies.py);
a send only of one's own submitted sheet with its stored hash and application; a conflict or the
general declaration only as the member's rows in ``conflitto`` and ``dichiarazione`` hold it; a rules' hash only the
stored rules' own; a seal only as the application spells it, and only of a row the same transaction has
written (or, for a deletion, of a row no longer there) — else one INSERT would make an approved ranking,
which nobody may write again, read as tampered for good; every row JSON, an object where the minutes
read one. What only the end of the transaction can show (the rules really locked, the sheet really reopened)
is checked at commit by a deferred trigger.
"""

from __future__ import annotations

from valutazione import audit
from valutazione.seals.rows import DELETED, SEAL_ACTION, SEAL_ACTOR, SEALED_TABLES
from valutazione.server.sql import _fn

DECISIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (
            "ammissibilita.decisa",
            "soccorso.richiesto",
            "soccorso.chiuso",
            "sorteggio.registrato",
            "rinuncia.registrata",
            "domanda.lotto",
        ),
        ("presidente", "segretario"),
    ),
    **dict.fromkeys(
        ("graduatoria.approvata", "scheda.riaperta", "bando.regole_modificate", "pacchetto.esportato"),
        ("presidente",),
    ),
    # A return is merged by the database's owner, and a package's identity row is written in the member's
    # own file: neither comes from a login on a server. No login may change another member's «conflitto»
    # row either, so an abstention is withdrawn on a server only by the owner.
    **dict.fromkeys(("pacchetto.ritorno.importato", "pacchetto.creato", "conflitto.astensione_ritirata"), ()),
}
SENT, REOPENED, LOCKED = "scheda.inviata", "scheda.riaperta", "bando.regole_bloccate"
RULES_LOGGED = (LOCKED, "bando.regole_modificate")
# The actions whose row the minutes read as a JSON object (tests/server checks verbale_data's list is here).
OBJECTS = (*DECISIONS, SENT, "dichiarazione.resa", "conflitto.dichiarato")


def _quoted(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _decisions() -> str:
    return "\n".join(
        f"    WHEN '{action}' THEN " + (f"r IN ({_quoted(roles)})" if roles else "false")
        for action, roles in DECISIONS.items()
    )


_SEAL_DIGEST = '^[{]"sha256":"[0-9a-f]{64}"[}]$'
_ID = "^[0-9]{1,9}$"
_DELETED = audit.canonical_json({DELETED: True})

ADMITTED = _fn(
    "valutazione_riga_ammessa(r_actor text, r_action text, r_entity text, r_entity_id text, r_after text)",
    "boolean",
    f"""DECLARE r text := valutazione_ruolo(); io integer := valutazione_io(); written boolean;
BEGIN
  IF io IS NULL THEN RETURN false; END IF;
  IF r_actor = '{SEAL_ACTOR}' OR r_action = '{SEAL_ACTION}' THEN
    IF NOT (r_actor = '{SEAL_ACTOR}' AND r_action = '{SEAL_ACTION}' AND r_entity IN ({_quoted(sorted(SEALED_TABLES))})
        AND r_entity_id ~ '{_ID}' AND (r_after ~ '{_SEAL_DIGEST}' OR r_after = '{_DELETED}')) THEN
      RETURN false;
    END IF;
    -- the row as this transaction left it: written by it (a seal), or gone (a deletion's seal)
    EXECUTE format('SELECT xmin = pg_current_xact_id()::xid FROM %I WHERE id = $1', r_entity)
      INTO written USING r_entity_id::integer;
    RETURN CASE WHEN r_after = '{_DELETED}' THEN written IS NULL ELSE coalesce(written, false) END;
  END IF;
  IF r_actor IS DISTINCT FROM valutazione_nome() THEN RETURN false; END IF;
  PERFORM r_after::json;  -- not JSON: refused with the parser's error
  IF r_action IN ({_quoted(OBJECTS)}) AND r_after !~ '^[{{]' THEN RETURN false; END IF;
  IF r_action = '{SENT}' THEN
    IF r_entity <> 'scheda' OR r_entity_id !~ '{_ID}' THEN RETURN false; END IF;
    RETURN EXISTS (
      SELECT 1 FROM scheda x JOIN domanda d ON d.id = x.domanda_id
      WHERE x.id = r_entity_id::integer AND x.commissario_id = io AND x.state = 'inviata'
        AND x.content_hash = substring(r_after FROM '"hash":"([0-9a-f]{{64}})"')
        AND d.protocol IS NOT DISTINCT FROM r_after::jsonb ->> 'protocollo');
  END IF;
  -- a member's own statements, which the minutes print under their name: only what the tables hold
  IF r_action = 'conflitto.dichiarato' THEN
    RETURN r_entity = 'domanda' AND EXISTS (SELECT 1 FROM conflitto c JOIN domanda d ON d.id = c.domanda_id
      WHERE c.commissario_id = io AND c.has_conflict AND d.protocol = r_entity_id);
  END IF;
  IF r_action = 'dichiarazione.resa' THEN
    RETURN r_entity = 'commissario' AND r_entity_id = io::text
      AND EXISTS (SELECT 1 FROM dichiarazione WHERE commissario_id = io);
  END IF;
  IF r_action = '{REOPENED}' AND (r_entity <> 'scheda' OR r_entity_id !~ '{_ID}') THEN RETURN false; END IF;
  IF r_action IN ({_quoted(RULES_LOGGED)}) THEN
    IF r_after !~ '^[{{]' OR (r_after::jsonb ->> 'sha256') IS DISTINCT FROM
        (SELECT encode(sha256(convert_to(rules_json, 'UTF8')), 'hex') FROM bando) THEN
      RETURN false;
    END IF;
  END IF;
  RETURN CASE r_action
{_decisions()}
    ELSE true END;
END""",
    lang="plpgsql",
)

_TRUE_AT_COMMIT = f"""BEGIN
  IF valutazione_io() IS NULL THEN RETURN NULL; END IF;
  IF NEW.action = '{LOCKED}' AND NOT EXISTS (SELECT 1 FROM bando WHERE rules_locked_at IS NOT NULL) THEN
    RAISE EXCEPTION USING MESSAGE = 'Registro: la riga n. ' || NEW.id || ' dà bloccate le regole del bando, '
      || 'ma la stessa operazione non le blocca: riga rifiutata.';
  END IF;
  IF NEW.action = '{REOPENED}' AND NOT EXISTS (
      SELECT 1 FROM scheda WHERE id::text = NEW.entity_id AND state = 'bozza') THEN
    RAISE EXCEPTION USING MESSAGE = 'Registro: la riga n. ' || NEW.id || ' dà riaperta la scheda n. '
      || NEW.entity_id || ', ma la stessa operazione non la riapre: riga rifiutata.';
  END IF;
  RETURN NULL;
END"""

# A login writes in its member's name as the table ``commissario`` spells it now. The chair's login, which
# may update that table, could otherwise take a colleague's name for a moment (rename them, take the name,
# write, give it back: every row as it was) and sign log rows as them — a conflict «declared», a declaration
# «made». A name that already signs rows of the log is never taken by another row (the application renames
# only a member who has not scored yet, to a new name), and a member's role never changes (the application
# never changes it).
_IDENTITY = """BEGIN
  IF NEW.role IS DISTINCT FROM OLD.role THEN
    RAISE EXCEPTION USING MESSAGE = format('Il ruolo di %s nella commissione (%s) non si modifica.',
      OLD.name, OLD.role);
  END IF;
  IF NEW.name IS DISTINCT FROM OLD.name AND EXISTS (SELECT 1 FROM audit WHERE actor = NEW.name) THEN
    RAISE EXCEPTION USING MESSAGE = format('Il nome «%s» firma già righe del registro: %s non può assumerlo.',
      NEW.name, OLD.name);
  END IF;
  RETURN NEW;
END"""

# A seal says a decisive row changed, not who changed it nor why: that is the named row the application
# writes in the same transaction (an admissibility decision, a session, a declaration...). A login that
# wrote a sealed row and only its seal (the secretary turning an outcome to «non ammissibile» with psql)
# would leave a log that verifies, minutes that say nothing, and nobody to answer for it. At commit, each
# seal a login appended must sit among rows of its own transaction — the log's tail, since the transaction
# holds the head's lock from its first row — one of which is signed with the member's name.
_ATTRIBUTED = """DECLARE cur xid := pg_current_xact_id()::xid; me text := valutazione_nome(); r record;
BEGIN
  IF valutazione_io() IS NULL THEN RETURN NULL; END IF;
  FOR r IN SELECT xmin AS x, actor FROM audit WHERE id < NEW.id ORDER BY id DESC LOOP
    EXIT WHEN NOT (r.x = cur);
    IF r.actor = me THEN RETURN NULL; END IF;
  END LOOP;
  FOR r IN SELECT xmin AS x, actor FROM audit WHERE id > NEW.id ORDER BY id LOOP
    EXIT WHEN NOT (r.x = cur);
    IF r.actor = me THEN RETURN NULL; END IF;
  END LOOP;
  RAISE EXCEPTION USING MESSAGE = format('Registro: il sigillo su %s n. %s non accompagna alcuna operazione '
    'registrata a nome di %s nella stessa transazione: una modifica a un dato sigillato si registra con il '
    'nome di chi la fa.', NEW.entity, NEW.entity_id, me);
END"""

# A sheet turned «inviata» without its send in the log reads as tampered in every verification (and stops
# every approval until the chair reopens it): a login that submits writes the send in the same transaction,
# as the application does (``sheets.submit``).
_SENT_LOGGED = f"""BEGIN
  IF valutazione_io() IS NULL THEN RETURN NULL; END IF;
  IF NOT EXISTS (SELECT 1 FROM audit WHERE action = '{SENT}' AND entity = 'scheda' AND entity_id = NEW.id::text
                 AND xmin = pg_current_xact_id()::xid) THEN
    RAISE EXCEPTION USING MESSAGE = format('La scheda n. %s risulta inviata senza il suo invio nel registro: '
      'si invia con l''applicazione, che registra l''invio con l''impronta della scheda.', NEW.id);
  END IF;
  RETURN NULL;
END"""

INSTALL = [
    ADMITTED,
    _fn("valutazione_invio_registrato()", "trigger", _SENT_LOGGED, lang="plpgsql", volatile=True),
    "DROP TRIGGER IF EXISTS valutazione_invio_registrato ON scheda",
    _fn("valutazione_sigillo_firmato()", "trigger", _ATTRIBUTED, lang="plpgsql", volatile=True),
    "DROP TRIGGER IF EXISTS valutazione_sigillo_firmato ON audit",
    _fn("valutazione_identita_commissario()", "trigger", _IDENTITY, lang="plpgsql", volatile=True),
    "DROP TRIGGER IF EXISTS valutazione_identita ON commissario",
    "CREATE TRIGGER valutazione_identita BEFORE UPDATE ON commissario FOR EACH ROW "
    "EXECUTE FUNCTION valutazione_identita_commissario()",
    _fn("valutazione_riga_vera()", "trigger", _TRUE_AT_COMMIT, lang="plpgsql", volatile=True),
    "DROP TRIGGER IF EXISTS valutazione_riga_vera ON audit",
    "CREATE CONSTRAINT TRIGGER valutazione_riga_vera AFTER INSERT ON audit DEFERRABLE INITIALLY DEFERRED "
    f"FOR EACH ROW WHEN (NEW.action IN ({_quoted(RULES_LOGGED[:1] + (REOPENED,))})) "
    "EXECUTE FUNCTION valutazione_riga_vera()",
]


def install(schema: str, owner: str) -> list[str]:
    """The function the log's insert policy calls and the checks at commit, for the committee in ``schema``;
    ``owner`` (who merges returns: tens of thousands of seals and sends) is left out of those checks by name."""
    quoted = '"' + schema.replace('"', '""') + '"'
    owner_literal = "'" + owner.replace("'", "''") + "'"
    attributed = (
        "CREATE CONSTRAINT TRIGGER valutazione_sigillo_firmato AFTER INSERT ON audit DEFERRABLE INITIALLY "
        f"DEFERRED FOR EACH ROW WHEN (NEW.action = '{SEAL_ACTION}' AND session_user <> {owner_literal}) "
        "EXECUTE FUNCTION valutazione_sigillo_firmato()"
    )
    sent = (
        "CREATE CONSTRAINT TRIGGER valutazione_invio_registrato AFTER UPDATE ON scheda DEFERRABLE INITIALLY "
        "DEFERRED FOR EACH ROW WHEN (NEW.state = 'inviata' AND OLD.state IS DISTINCT FROM 'inviata' "
        f"AND session_user <> {owner_literal}) EXECUTE FUNCTION valutazione_invio_registrato()"
    )
    return [stmt.replace("{s}", quoted) for stmt in [*INSTALL, attributed, sent]]
