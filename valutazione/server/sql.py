"""The SQL that ``server init`` installs besides the policies: who-am-I functions, visibility, triggers.

The functions are SECURITY DEFINER, owned by the committee's owner: the policies call them to learn who
is connected (``session_user`` → ``ruolo_server`` → ``commissario``) and what that member may see, reading
the tables past the policies they serve. The triggers hold for every role, the owner included: a
submitted sheet, an approved ranking version and the log are not edited by anyone, and a log row enters
only at the end of the chain with the hash of its own content (``valutazione_hash_riga`` computes the same
canonical JSON as valutazione/audit.py: ``to_json`` of a text escapes exactly as Python's ``json.dumps``
with ``ensure_ascii=False``).

``{s}`` is the committee's schema, fixed in every function's search_path.
"""

from __future__ import annotations

_DEFINER = "LANGUAGE {lang} STABLE SECURITY DEFINER SET search_path = {s}, pg_temp"


def _fn(signature: str, returns: str, body: str, *, lang: str = "sql", volatile: bool = False) -> str:
    options = _DEFINER.replace("STABLE", "VOLATILE") if volatile else _DEFINER
    head = f"CREATE OR REPLACE FUNCTION {signature} RETURNS {returns} {options.format(lang=lang, s='{s}')}"
    return f"{head} AS $f$\n{body}\n$f$"


WHO = [
    _fn(
        "valutazione_io()",
        "integer",
        "SELECT commissario_id FROM ruolo_server WHERE db_role = session_user",
    ),
    _fn(
        "valutazione_ruolo()",
        "text",
        "SELECT c.role FROM commissario c JOIN ruolo_server r ON r.commissario_id = c.id "
        "WHERE r.db_role = session_user",
    ),
    _fn(
        "valutazione_nome()",
        "text",
        "SELECT c.name FROM commissario c JOIN ruolo_server r ON r.commissario_id = c.id "
        "WHERE r.db_role = session_user",
    ),
    _fn(
        "valutazione_in_conflitto(d integer)",
        "boolean",
        "SELECT EXISTS (SELECT 1 FROM conflitto WHERE commissario_id = valutazione_io() AND domanda_id = d "
        "AND has_conflict)",
    ),
    # The stored returns (payload and signature) merged for another member: every sheet of theirs, drafts too.
    _fn(
        "valutazione_ritorni_altrui()",
        "SETOF text",
        "SELECT x FROM audit a, LATERAL (VALUES (a.after_json::jsonb ->> 'ritorno'), (a.after_json::jsonb ->> "
        "'firma')) AS v(x) WHERE a.action = 'pacchetto.ritorno.importato' AND x IS NOT NULL "
        "AND (a.after_json::jsonb ->> 'commissario') IS DISTINCT FROM valutazione_nome()",
    ),
    _fn(
        "valutazione_confronti_propri()",
        "SETOF integer",
        "SELECT id FROM confronto WHERE commissario_id = valutazione_io()",
    ),
    _fn(
        "valutazione_allegati_in_conflitto()",
        "SETOF text",
        "SELECT a.sha256 FROM allegato a JOIN conflitto c ON c.domanda_id = a.domanda_id "
        "WHERE c.commissario_id = valutazione_io() AND c.has_conflict AND a.sha256 IS NOT NULL",
    ),
]

# The application's rule (valutazione/services/sheets.py, ``other_sheets_visible``): one's own sheet
# always; another's scores only once submitted, never on an application in conflict, and then: to a
# scorer after submitting their own sheet on it, to the secretary once every expected sheet is in, to the
# chair always (the ranking is computed from them). The chair and the secretary also see the drafts' rows
# (their state, not their scores) for the progress board; a submitted sheet only with its scores, since
# the seals' check compares the two (a submitted sheet without its marks would read as tampered).
VISIBILITY = [
    _fn(
        "valutazione_propria_bozza(id_scheda integer)",
        "boolean",
        "SELECT EXISTS (SELECT 1 FROM scheda WHERE id = id_scheda AND commissario_id = valutazione_io() "
        "AND state = 'bozza')",
    ),
    # As whole sets, for the policies on the big tables (scheda, voto, audit): a policy
    # ``id IN (SELECT set())`` runs the set once per statement (a hashed subplan), where a per-row function
    # ran its queries once per row — 225,000 marks at 5,000 applications made the chair's ranking take
    # minutes. The policy matrix tests every cell against the application's rule.
    _fn(
        "valutazione_schede_voti_visibili()",
        "SETOF integer",
        """WITH me AS MATERIALIZED (SELECT valutazione_io() AS io, valutazione_ruolo() AS ruolo)
SELECT x.id FROM scheda x, me
WHERE me.io IS NOT NULL AND (
  x.commissario_id = me.io
  OR (x.state = 'inviata'
      AND NOT EXISTS (SELECT 1 FROM conflitto c WHERE c.commissario_id = me.io AND c.domanda_id = x.domanda_id
                      AND c.has_conflict)
      AND (me.ruolo = 'presidente'
           OR (me.ruolo = 'componente' AND x.domanda_id IN (
                 SELECT y.domanda_id FROM scheda y WHERE y.commissario_id = me.io AND y.state = 'inviata'))
           OR (me.ruolo = 'segretario' AND x.domanda_id IN (
                 SELECT d.id FROM domanda d WHERE NOT EXISTS (
                   SELECT 1 FROM commissario m WHERE m.role IN ('presidente', 'componente')
                     AND NOT EXISTS (SELECT 1 FROM conflitto c WHERE c.commissario_id = m.id
                                     AND c.domanda_id = d.id AND c.has_conflict)
                     AND NOT EXISTS (SELECT 1 FROM scheda z WHERE z.commissario_id = m.id
                                     AND z.domanda_id = d.id AND z.state = 'inviata')))))))""",
    ),
    _fn(
        "valutazione_schede_visibili()",
        "SETOF integer",
        """SELECT v.id FROM valutazione_schede_voti_visibili() AS v(id)
UNION
SELECT x.id FROM scheda x
WHERE x.state = 'bozza' AND (SELECT valutazione_ruolo()) IN ('presidente', 'segretario')
  AND NOT EXISTS (SELECT 1 FROM conflitto c WHERE c.commissario_id = (SELECT valutazione_io())
                  AND c.domanda_id = x.domanda_id AND c.has_conflict)""",
    ),
    # The progress board (valutazione/server/progress.py): the state of every sheet, never its scores, to
    # the chair and the secretary; a submitted sheet's row itself stays hidden until its scores may be read.
    _fn(
        "valutazione_stati_schede()",
        "TABLE(d integer, m integer, stato text)",
        "SELECT x.domanda_id, x.commissario_id, x.state FROM scheda x "
        "WHERE valutazione_ruolo() IN ('presidente', 'segretario') AND NOT valutazione_in_conflitto(x.domanda_id)",
    ),
]

ROW_HASH = """CREATE OR REPLACE FUNCTION valutazione_hash_riga(
  prev text, at text, actor text, action text, entity text, entity_id text, before text, after text)
RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT encode(sha256(convert_to('[' || concat_ws(',', to_json(prev)::text,
  to_json(regexp_replace(at, '\\.000000\\+', '+'))::text, to_json(actor)::text, to_json(action)::text,
  to_json(entity)::text, to_json(entity_id)::text, to_json(before)::text, to_json(after)::text) || ']',
  'UTF8')), 'hex')
$f$"""

_APPEND = """DECLARE testa text;
BEGIN
  PERFORM 1 FROM bando FOR UPDATE;
  SELECT hash INTO testa FROM audit ORDER BY id DESC LIMIT 1;
  IF NEW.prev_hash IS DISTINCT FROM coalesce(testa, repeat('0', 64)) THEN
    RAISE EXCEPTION USING ERRCODE = 'serialization_failure',
      MESSAGE = 'Registro: la riga nuova non segue l''ultima della catena '
        || '(un''altra sessione ha scritto nel frattempo): ripetere l''operazione.';
  END IF;
  IF NEW.hash IS DISTINCT FROM valutazione_hash_riga(NEW.prev_hash, NEW.at, NEW.actor, NEW.action,
      NEW.entity, NEW.entity_id, NEW.before_json, NEW.after_json) THEN
    RAISE EXCEPTION 'Registro: l''impronta della riga non corrisponde al suo contenuto: riga rifiutata.';
  END IF;
  RETURN NEW;
END"""

_SHEET = """BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.commissario_id <> OLD.commissario_id OR NEW.domanda_id <> OLD.domanda_id) THEN
    RAISE EXCEPTION 'La scheda n. % non può cambiare commissario né domanda.', OLD.id;
  END IF;
  IF OLD.state <> 'inviata' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.state = 'bozza' AND EXISTS (
      SELECT 1 FROM audit a
      WHERE a.action = 'scheda.riaperta' AND a.entity = 'scheda' AND a.entity_id = OLD.id::text
        AND a.xmin = pg_current_xact_id()::xid
        AND a.actor IN (SELECT name FROM commissario WHERE role = 'presidente')
        AND coalesce(a.after_json::jsonb ->> 'motivo', '') <> '') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION USING MESSAGE = format('La scheda n. %s è già stata inviata: si modifica solo dopo ', OLD.id)
    || 'la riapertura del presidente, con il motivo scritto nel registro.';
END"""

_MARKS = """DECLARE id_scheda integer;
BEGIN
  id_scheda := CASE WHEN TG_OP = 'DELETE' THEN OLD.scheda_id ELSE NEW.scheda_id END;
  IF EXISTS (SELECT 1 FROM scheda WHERE id = id_scheda AND state = 'inviata')
     OR (TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM scheda WHERE id = OLD.scheda_id AND state = 'inviata')) THEN
    RAISE EXCEPTION 'I voti della scheda n. % sono già stati inviati: non si modificano.', id_scheda;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END"""

_HEAD = """BEGIN
  IF NEW.audit_head IS DISTINCT FROM OLD.audit_head
     AND NEW.audit_head IS DISTINCT FROM (SELECT hash FROM audit ORDER BY id DESC LIMIT 1) THEN
    RAISE EXCEPTION 'La testa del registro si sposta solo sull''ultima riga scritta nel registro.';
  END IF;
  IF OLD.rules_locked_at IS NOT NULL AND NEW.rules_locked_at IS DISTINCT FROM OLD.rules_locked_at THEN
    RAISE EXCEPTION 'Le regole del bando sono bloccate dal %: il blocco non si modifica.', OLD.rules_locked_at;
  END IF;
  RETURN NEW;
END"""

_FROZEN = """BEGIN
  RAISE EXCEPTION '%: riga approvata o registrata, non si modifica né si elimina (%).', TG_TABLE_NAME, TG_OP;
END"""

TRIGGERS = [
    _fn("valutazione_registro_in_coda()", "trigger", _APPEND, lang="plpgsql", volatile=True),
    _fn("valutazione_scheda_immutabile()", "trigger", _SHEET, lang="plpgsql", volatile=True),
    _fn("valutazione_voti_immutabili()", "trigger", _MARKS, lang="plpgsql", volatile=True),
    _fn("valutazione_immutabile()", "trigger", _FROZEN, lang="plpgsql", volatile=True),
    _fn("valutazione_testa_registro()", "trigger", _HEAD, lang="plpgsql", volatile=True),
    "DROP TRIGGER IF EXISTS valutazione_testa ON bando",
    "CREATE TRIGGER valutazione_testa BEFORE UPDATE ON bando FOR EACH ROW "
    "EXECUTE FUNCTION valutazione_testa_registro()",
    "DROP TRIGGER IF EXISTS valutazione_in_coda ON audit",
    "CREATE TRIGGER valutazione_in_coda BEFORE INSERT ON audit FOR EACH ROW "
    "EXECUTE FUNCTION valutazione_registro_in_coda()",
    "DROP TRIGGER IF EXISTS valutazione_inviata ON scheda",
    "CREATE TRIGGER valutazione_inviata BEFORE UPDATE OR DELETE ON scheda FOR EACH ROW "
    "EXECUTE FUNCTION valutazione_scheda_immutabile()",
    "DROP TRIGGER IF EXISTS valutazione_voti_inviati ON voto",
    "CREATE TRIGGER valutazione_voti_inviati BEFORE INSERT OR UPDATE OR DELETE ON voto FOR EACH ROW "
    "EXECUTE FUNCTION valutazione_voti_immutabili()",
]
for _table in ("graduatoria",):
    TRIGGERS += [
        f"DROP TRIGGER IF EXISTS valutazione_approvata ON {_table}",
        f"CREATE TRIGGER valutazione_approvata BEFORE UPDATE OR DELETE ON {_table} FOR EACH ROW "
        "EXECUTE FUNCTION valutazione_immutabile()",
    ]
for _table in ("scheda", "voto", "graduatoria"):
    TRIGGERS += [
        f"DROP TRIGGER IF EXISTS valutazione_non_svuotare ON {_table}",
        f"CREATE TRIGGER valutazione_non_svuotare BEFORE TRUNCATE ON {_table} FOR EACH STATEMENT "
        "EXECUTE FUNCTION valutazione_immutabile()",
    ]

# The chain verified on the server for a member, who cannot read every row of the log (the other
# members' sheets are hidden from them until the rule allows): same checks as ``audit.verify_chain``.
VERIFY = _fn(
    "valutazione_verifica_registro(OUT ok boolean, OUT righe bigint, OUT prima_errata bigint, OUT tipo text)",
    "record",
    """DECLARE r record; prev text := repeat('0', 64); testa text;
BEGIN
  ok := true; righe := 0; prima_errata := NULL; tipo := '';
  FOR r IN SELECT id, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash
           FROM audit ORDER BY id LOOP
    righe := righe + 1;
    IF r.prev_hash <> prev THEN ok := false; prima_errata := r.id; tipo := 'interrotto'; RETURN; END IF;
    IF valutazione_hash_riga(r.prev_hash, r.at, r.actor, r.action, r.entity, r.entity_id, r.before_json,
                             r.after_json) <> r.hash THEN
      ok := false; prima_errata := r.id; tipo := 'modificata'; RETURN;
    END IF;
    prev := r.hash; prima_errata := r.id;
  END LOOP;
  SELECT audit_head INTO testa FROM bando LIMIT 1;
  IF coalesce(testa, '') <> '' AND testa <> prev THEN
    ok := false; prima_errata := coalesce(prima_errata, 0) + 1; tipo := 'troncato'; RETURN;
  END IF;
  prima_errata := NULL;
END""",
    lang="plpgsql",
)


def install(schema: str) -> list[str]:
    """Every function and trigger, for the committee in ``schema``."""
    quoted = '"' + schema.replace('"', '""') + '"'
    return [stmt.replace("{s}", quoted) for stmt in [*WHO, *VISIBILITY, ROW_HASH, *TRIGGERS, VERIFY]]
