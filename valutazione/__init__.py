"""valutazione: the evaluation of applications to public grant calls (domain core, no Qt)."""

__version__ = "0.1.0"
