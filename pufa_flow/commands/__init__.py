"""Feature commands of the `pufa-flow` CLI, one module per feature.

Each module defines its commands with ``@main.command`` from pufa_flow.cli;
cli.py imports this package after the group exists.
"""
from importlib import import_module
from pkgutil import iter_modules


def load_all() -> None:
    for info in iter_modules(__path__):
        import_module(f"{__name__}.{info.name}")
