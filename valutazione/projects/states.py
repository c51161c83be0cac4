"""The states of a grant agreement, as stored in ``convenzione.state``.

A module of their own, apart from the ORM tables (``projects.tables``): the GUI shows and filters by them,
and the GUI never imports the ORM (tests/valutazione/test_core_headless.py).
"""

ACTIVE, REVOKED, RENOUNCED = "attiva", "revocata", "rinunciata"
