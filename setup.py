"""Packages of the distribution, and the two top-level folders it ships inside them.

``templates/`` and ``migrations/`` stay at the top of the repository (the owner's
layout); in a wheel they become ``pufa_flow/templates`` and
``pufa_flow/migrations``, which ``pufa_flow.shipped`` finds once installed.
Everything else about the project is in pyproject.toml.
"""
from setuptools import find_packages, setup

SHIPPED = {"pufa_flow.templates": "templates", "pufa_flow.migrations": "migrations"}

setup(
    packages=find_packages(include=["pufa_flow*", "workflows*", "notifications*"]) + list(SHIPPED),
    package_dir=SHIPPED,
)
