"""Use cases over an open file: each function takes the caller's ``Session`` and never commits it.

The caller (a GUI action, a CLI command) owns one transaction per user action, so a refused step
leaves nothing half-written; every decision writes its audit row in that same transaction.
"""
