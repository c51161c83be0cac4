"""One widget per screen, built in code with layouts."""
