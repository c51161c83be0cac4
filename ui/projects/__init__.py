"""The funded projects after the ranking: the list with the four figures, and one page per project."""
