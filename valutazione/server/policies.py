"""The server's rules, as one table: role × table × action → who may, and on which rows.

``MATRIX`` is the single source: ``valutazione server init`` turns it into GRANTs and row-level security
policies (``statements``), docs/politiche-server.md prints it (``matrix_markdown``, checked by the tests),
and tests/server/test_policy_matrix.py tries every cell with a raw connection as that role. What the
application checks in its services the server checks again, so that a member who connects with ``psql``
gets no more than the application would show them.

Every policy also requires that the connected login role is linked to a member of *this* committee with
that role (``valutazione_ruolo()``): group roles are cluster-wide, so membership of the group alone must
not open another committee's database on the same server.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("presidente", "segretario", "componente")
ACTIONS = ("SELECT", "INSERT", "UPDATE", "DELETE")


def group_role(role: str) -> str:
    """The NOLOGIN group role that carries the table privileges of a committee role."""
    return f"valutazione_{role}"


@dataclass(frozen=True)
class Rule:
    """Which rows of a table an action may touch: ``key`` names it for the tests, ``it`` for the doc."""

    key: str
    it: str
    sql: str | None  # the policy's condition; None: no privilege at all (refused before any row)
    check: str | None = None  # what a row must satisfy after an UPDATE (default: ``sql`` again)


NONE = Rule("nessuna", "no", None)


def _all() -> Rule:
    return Rule("tutte", "sì, tutte le righe", "true")


# Who is connected, as a member of this committee: functions owned by the committee's owner, so that
# they read the tables past the policies they serve (no recursion, same answer for every caller).
_NOT_CONFLICTED = "NOT valutazione_in_conflitto({d})"


def _own(column: str = "commissario_id") -> Rule:
    return Rule("proprie", "solo le proprie", f"{column} = valutazione_io()")


def _not_conflicted(domanda: str) -> Rule:
    return Rule(
        "non_in_conflitto",
        "sì, tranne le domande su cui ha dichiarato un conflitto",
        _NOT_CONFLICTED.format(d=domanda),
    )


# A merged return is stored whole (payload and signature, seals.signatures): every sheet of its member,
# drafts' marks included. Only its member reads it (the owner, who merged it, reads every row).
_BLOB_FREE = (
    "NOT EXISTS (SELECT 1 FROM valutazione_allegati_in_conflitto() AS c(sha256) WHERE c.sha256 = blob.sha256) "
    "AND NOT EXISTS (SELECT 1 FROM valutazione_ritorni_altrui() AS r(sha256) WHERE r.sha256 = blob.sha256)"
)
BLOB_SELECT = Rule(
    "non_in_conflitto",
    "sì, tranne gli allegati delle domande in conflitto e i ritorni firmati degli altri",
    _BLOB_FREE,
)

SHEET_SELECT = Rule(
    "scheda_visibile",
    "le proprie; le altre secondo la regola di visibilità dell'applicazione",
    # One's own rows by their columns: a row just inserted (INSERT … RETURNING checks this policy too) is not
    # yet in the set, computed on the statement's snapshot.
    "commissario_id = valutazione_io() OR id IN (SELECT valutazione_schede_visibili())",
)
MARKS_SELECT = Rule(
    "voti_visibili",
    "quelli delle proprie schede; gli altri secondo la regola di visibilità dell'applicazione",
    "scheda_id IN (SELECT valutazione_schede_voti_visibili())",
)
OWN_DRAFT = Rule(
    "proprie_bozze",
    "solo le proprie bozze",
    "commissario_id = valutazione_io() AND state = 'bozza'",
    "commissario_id = valutazione_io()",  # a draft may become submitted (the submission is an UPDATE)
)
OWN_DRAFT_MARKS = Rule("voti_proprie_bozze", "solo nelle proprie bozze", "valutazione_propria_bozza(scheda_id)")
CHAIR_SHEET_UPDATE = Rule(
    "proprie_bozze_o_riapertura",
    "le proprie bozze; una scheda inviata solo riaprendola (motivo nel registro, nella stessa transazione)",
    "(commissario_id = valutazione_io() AND state = 'bozza') OR state = 'inviata'",
    "true",  # author and application cannot change: the trigger on scheda refuses it
)
# The log rows that carry marks: about sheets (their content at sending), about a return (it names the
# stored return), about pairwise comparisons (the comparisons themselves, and their rows' seals). An id
# that is not a small number names no row: hidden, never cast (a cast out of range would fail every read).
AUDIT_SELECT = Rule(
    "registro_visibile",
    "sì, tranne le righe sulle schede che non può ancora vedere, sui ritorni degli altri e, per un "
    "componente, sui confronti a coppie degli altri",
    "CASE WHEN action = 'pacchetto.ritorno.importato' THEN after_json::jsonb ->> 'commissario' = valutazione_nome() "
    "WHEN action = 'confronto.salvato' THEN valutazione_ruolo() <> 'componente' OR actor = valutazione_nome() "
    "WHEN entity = 'confronto' THEN CASE WHEN valutazione_ruolo() <> 'componente' THEN true "
    "WHEN entity_id !~ '^[0-9]{1,9}$' THEN false "
    "ELSE entity_id::integer IN (SELECT valutazione_confronti_propri()) END "
    "WHEN entity <> 'scheda' THEN valutazione_io() IS NOT NULL WHEN entity_id !~ '^[0-9]{1,9}$' THEN false "
    "ELSE entity_id::integer IN (SELECT valutazione_schede_voti_visibili()) END",
)
# valutazione/server/log_rows.py: own name, a decision only from a role that takes it, true sends and hashes.
AUDIT_INSERT = Rule(
    "in_coda_a_proprio_nome",
    "solo in coda alla catena, a proprio nome (o sigillo «sistema»); le decisioni solo dal ruolo che le prende",
    "valutazione_riga_ammessa(actor, action, entity, entity_id, after_json)",
)
HEAD_UPDATE = Rule(
    "solo_testa_del_registro",
    "solo la testa della catena e il blocco delle regole",
    "true",
)
CREDENTIAL_OWN = _own()
OWN_PAIR = Rule(
    "proprie_fuori_conflitto",
    "solo le proprie, su coppie senza domande in conflitto",
    "commissario_id = valutazione_io() AND "
    + " AND ".join(_NOT_CONFLICTED.format(d=d) for d in ("domanda_a_id", "domanda_b_id")),
)

# Tables with the same rule for every role: the committee's decisions and records, readable by every
# member (the seals re-read them all), written by the chair and the secretary as in the application.
ADMIN_TABLES = (
    "zona",
    "import_batch",
    "ammissibilita",
    "soccorso",
    "sorteggio",
    "rinuncia",
    "seduta",
    "presenza",
    "erogazione",
    "convenzione",
    "fase_affiancamento",
    "sessione_affiancamento",
    "indicatore_obiettivo",
    "indicatore_valore",
    "referente",
)
APPLICATION_TABLES = {"domanda": "id", "allegato": "domanda_id", "flag": "domanda_id"}

Cell = dict[str, Rule]  # action → rule


def _cells(select: Rule, insert: Rule = NONE, update: Rule = NONE, delete: Rule = NONE) -> Cell:
    return {"SELECT": select, "INSERT": insert, "UPDATE": update, "DELETE": delete}


def _build() -> dict[str, dict[str, Cell]]:
    m: dict[str, dict[str, Cell]] = {}
    for t in ADMIN_TABLES:
        admin = _cells(_all(), _all(), _all(), _all())
        m[t] = {"presidente": admin, "segretario": admin, "componente": _cells(_all())}
    for t, col in APPLICATION_TABLES.items():
        free = _not_conflicted(col)
        admin = _cells(free, _all(), free, free)
        m[t] = {"presidente": admin, "segretario": admin, "componente": _cells(free)}
    m["blob"] = {
        "presidente": _cells(BLOB_SELECT, _all()),
        "segretario": _cells(BLOB_SELECT, _all()),
        "componente": _cells(BLOB_SELECT),
    }
    m["bando"] = {
        "presidente": _cells(_all(), NONE, _all()),
        "segretario": _cells(_all(), NONE, HEAD_UPDATE),
        "componente": _cells(_all(), NONE, HEAD_UPDATE),
    }
    m["commissario"] = {
        "presidente": _cells(_all(), _all(), _all()),
        "segretario": _cells(_all()),
        "componente": _cells(_all()),
    }
    m["credenziale"] = {
        "presidente": _cells(_all(), _all(), _all(), _all()),
        "segretario": _cells(CREDENTIAL_OWN, CREDENTIAL_OWN, CREDENTIAL_OWN),
        "componente": _cells(CREDENTIAL_OWN, CREDENTIAL_OWN, CREDENTIAL_OWN),
    }
    for t in ("dichiarazione", "conflitto"):
        update = _own() if t == "conflitto" else NONE
        m[t] = {r: _cells(_all(), _own(), update) for r in ROLES}
    m["pacchetto"] = {
        "presidente": _cells(_all(), _all()),
        "segretario": _cells(_all()),
        "componente": _cells(_all()),
    }
    m["scheda"] = {
        "presidente": _cells(SHEET_SELECT, OWN_DRAFT, CHAIR_SHEET_UPDATE, OWN_DRAFT),
        "segretario": _cells(SHEET_SELECT),
        "componente": _cells(SHEET_SELECT, OWN_DRAFT, OWN_DRAFT, OWN_DRAFT),
    }
    marks = _cells(MARKS_SELECT, OWN_DRAFT_MARKS, OWN_DRAFT_MARKS, OWN_DRAFT_MARKS)
    m["voto"] = {"presidente": marks, "segretario": _cells(MARKS_SELECT), "componente": marks}
    m["graduatoria"] = {
        "presidente": _cells(_all(), _all()),
        "segretario": _cells(_all()),
        "componente": _cells(_all()),
    }
    m["audit"] = {r: _cells(AUDIT_SELECT, AUDIT_INSERT) for r in ROLES}
    m["ruolo_server"] = {r: _cells(_all()) for r in ROLES}
    # The chair's signing key: its private half must never reach a member (it would let them forge packages).
    m["chiave_presidente"] = {
        "presidente": _cells(_all(), _all()),
        "segretario": _cells(NONE),
        "componente": _cells(NONE),
    }
    # A monitoring officer's password hash: only the chair, who sets it, ever needs the row.
    m["credenziale_referente"] = {"presidente": _cells(_all(), _all(), _all(), _all())} | {
        r: _cells(NONE) for r in ("segretario", "componente")
    }
    # Pairwise comparisons are a member's marks in another form: their own while they score, all for the chair's
    # ranking and the secretary's minutes; never written on a pair that includes an application in conflict.
    own = _own()
    m["confronto"] = {
        "presidente": _cells(_all(), OWN_PAIR, OWN_PAIR, OWN_PAIR),
        "segretario": _cells(_all()),
        "componente": _cells(own, OWN_PAIR, OWN_PAIR, OWN_PAIR),
    }
    m["alembic_version"] = {r: _cells(_all()) for r in ROLES}
    return m


MATRIX = _build()

# Columns a role may UPDATE when it may not update the whole row (column privileges, not a policy).
UPDATE_COLUMNS = {("bando", "segretario"): ("audit_head", "rules_locked_at")}
UPDATE_COLUMNS[("bando", "componente")] = UPDATE_COLUMNS[("bando", "segretario")]

# Never by any role, not even the owner: enforced by triggers (``IMMUTABILITY``), listed for the doc.
IMMUTABLE = (
    ("scheda", "una scheda inviata non si modifica né si elimina, salvo la riapertura del presidente"),
    ("voto", "i voti di una scheda inviata non si inseriscono, modificano o eliminano"),
    ("graduatoria", "una versione approvata non si modifica né si elimina: se ne approva una nuova"),
    ("audit", "il registro non si modifica, non si elimina, non si svuota; una riga nuova entra solo in coda"),
)


def _policy_name(table: str, action: str, role: str) -> str:
    return f"{table}_{action.lower()}_{role}"


def _once(sql: str) -> str:
    """The who-am-I calls as scalar subqueries: evaluated once per statement (an InitPlan), not once per row."""
    for call in ("valutazione_ruolo()", "valutazione_io()", "valutazione_nome()"):
        sql = sql.replace(call, f"(SELECT {call})")
    return sql


def _policy(table: str, action: str, role: str, rule: Rule) -> str:
    assert rule.sql is not None
    condition = f"valutazione_ruolo() = '{role}' AND ({rule.sql})"
    clause = {
        "SELECT": f"USING ({condition})",
        "INSERT": f"WITH CHECK ({condition})",
        "UPDATE": f"USING ({condition}) WITH CHECK (valutazione_ruolo() = '{role}' AND ({rule.check or rule.sql}))",
        "DELETE": f"USING ({condition})",
    }[action]
    return _once(
        f"CREATE POLICY {_policy_name(table, action, role)} ON {table} FOR {action} TO {group_role(role)} {clause}"
    )


def _grant(table: str, action: str, role: str) -> str:
    columns = UPDATE_COLUMNS.get((table, role)) if action == "UPDATE" else None
    what = f"UPDATE ({', '.join(columns)})" if columns else action
    return f"GRANT {what} ON {table} TO {group_role(role)}"


def statements(owner: str) -> list[str]:
    """GRANTs and policies for every table of the matrix; the owner keeps every row (FORCE applies to it)."""
    out: list[str] = []
    for table, by_role in MATRIX.items():
        out.append(f"REVOKE ALL ON {table} FROM PUBLIC")
        out.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        out.append(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        out.append(f'CREATE POLICY {table}_proprietario ON {table} TO "{owner}" USING (true) WITH CHECK (true)')
        for role, cells in by_role.items():
            for action, rule in cells.items():
                if rule.sql is None:
                    continue
                out.append(_grant(table, action, role))
                out.append(_policy(table, action, role, rule))
    return out


def drop_statements() -> list[str]:
    """Removes the policies of an earlier ``init`` (its re-run installs the current ones)."""
    out = []
    for table, by_role in MATRIX.items():
        out.append(f"DROP POLICY IF EXISTS {table}_proprietario ON {table}")
        for role, cells in by_role.items():
            out += [f"DROP POLICY IF EXISTS {_policy_name(table, a, role)} ON {table}" for a in cells]
            out.append(f"REVOKE ALL ON {table} FROM {group_role(role)}")
    return out


def matrix_markdown() -> str:
    """The matrix as the Markdown table printed in docs/politiche-server.md (the tests compare the two)."""
    lines = ["| Tabella | Ruolo | SELECT | INSERT | UPDATE | DELETE |", "|---|---|---|---|---|---|"]
    for table, by_role in sorted(MATRIX.items()):
        for role in ROLES:
            cells = by_role[role]
            lines.append(f"| {table} | {role} | " + " | ".join(cells[a].it for a in ACTIONS) + " |")
    return "\n".join(lines) + "\n"
