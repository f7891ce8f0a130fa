"""Helpers shared by the tests: factories, services, AppTest and browser steps."""
