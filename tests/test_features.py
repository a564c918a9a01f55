"""Binds the Gherkin features under features/ to the shared steps in conftest.py.

The features on reading values (features/values_*.feature) have steps of their own and are bound
in test_values_features.py.
"""

from pathlib import Path

from pytest_bdd import scenarios

FEATURES = Path(__file__).resolve().parents[1] / "features"

scenarios(*sorted(p.name for p in FEATURES.glob("*.feature") if not p.name.startswith("values_")))
