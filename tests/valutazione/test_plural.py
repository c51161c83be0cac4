"""Italian counts agree in number: «1 commissario», «3 commissari»."""

from valutazione.plural import count


def test_one_is_singular_others_plural() -> None:
    """One takes the singular, zero and more the plural (no «1 commissari», no «1 schede»)."""
    assert count(1, "commissari") == "1 commissario"
    assert count(1, "schede") == "1 scheda"
    assert count(0, "domande") == "0 domande"
    assert count(3, "commissari") == "3 commissari"
