"""Binds every Gherkin feature under features/ to the shared steps in conftest.py."""

from pytest_bdd import scenarios

scenarios(".")
