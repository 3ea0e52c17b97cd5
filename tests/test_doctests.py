"""The examples in the package's docstrings run and print what they show (a researcher pastes them)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import govreports

MODULES = sorted(m.name for m in pkgutil.walk_packages(govreports.__path__, "govreports.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed (run pytest --doctest-modules {name})"
