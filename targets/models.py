"""Targets, plans and quarterly results (see targets/calculations.py for the arithmetic)."""
