"""Importers: data that arrives from outside (platform exports of applications, paper score sheets)."""
