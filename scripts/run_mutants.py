"""Run mutmut's mutants one at a time against chosen tests (docs/mutation-testing.md).

mutmut 3 writes every mutant of a module into ``mutants/`` behind a trampoline
that picks the mutant named by ``MUTANT_UNDER_TEST``. ``mutmut run`` tests each
mutant with every selected test that reaches the function: too slow for
``fire`` on a shared machine, and SQLite only. This runs each named mutant
with only the tests given, stopping at the first failure:

    mutmut run --max-children 1 "pufa_flow.services.workflow.x__jsonable*"   # writes mutants/
    grep -o '^def x__lock__mutmut_[0-9]*' mutants/pufa_flow/services/workflow.py \\
      | sed 's/def /pufa_flow.services.workflow./' \\
      | .venv/bin/python scripts/run_mutants.py --backend postgresql --out lock.tsv \\
          tests/test_workflow_locks.py tests/test_workflow_concurrency.py

One line per mutant in ``--out``: name, killed/survived/timeout, seconds, the
first failing test. SQLite runs fork from a parent that imported the app once;
PostgreSQL runs (and ``--fresh`` ones) start a new interpreter each: tests/conftest.py
keeps one throw-away database per pytest session in a module global, and code run at
import time (``scoping._panel_rules``) only meets its mutant in a new interpreter.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MUTANTS = os.path.join(ROOT, "mutants")
PYTEST_ARGS = ["-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]


def _first_failure(text: str) -> str:
    return next((line.split()[1] for line in text.splitlines() if line.startswith(("FAILED ", "ERROR "))), "")


def _forked(name: str, tests: list[str], log: str, timeout: float):
    import pytest

    pid = os.fork()
    if pid == 0:
        os.environ["MUTANT_UNDER_TEST"] = name
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os._exit(int(pytest.main([*tests, *PYTEST_ARGS])))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.1)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return "timeout"


def _subprocess(name: str, tests: list[str], log: str, timeout: float):
    env = dict(os.environ, MUTANT_UNDER_TEST=name)
    with open(log, "w") as out:
        try:
            return subprocess.run([sys.executable, "-m", "pytest", *tests, *PYTEST_ARGS], cwd=MUTANTS, env=env,
                                  stdout=out, stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return "timeout"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, default=400)
    parser.add_argument("--fresh", action="store_true",
                        help="a new interpreter per mutant on SQLite too: for code run at import time "
                             "(a fork from an imported app never sees those mutants)")
    parser.add_argument("tests", nargs="+", help="test files or node ids, relative to the project")
    args = parser.parse_args()
    names = [line.strip() for line in sys.stdin if line.strip()]
    out = os.path.abspath(args.out)
    os.chdir(MUTANTS)  # the mutated package and a copy of tests/ live here
    sys.path.insert(0, MUTANTS)
    os.environ["PUFA_TEST_BACKENDS"] = args.backend
    os.nice(10)
    forked = args.backend == "sqlite" and not args.fresh
    if forked:
        import pufa_flow  # once, in the parent

        assert pufa_flow.__file__.startswith(MUTANTS), f"not the mutated package: {pufa_flow.__file__}"
    log = os.path.join(MUTANTS, "run_mutants.log")
    run = _forked if forked else _subprocess
    for name in names:
        started = time.monotonic()
        rc = run(name, args.tests, log, args.timeout)
        verdict = {0: "survived", 1: "killed"}.get(rc, f"other:{rc}")
        with open(log) as f:
            failed = _first_failure(f.read())
        with open(out, "a") as f:
            f.write(f"{name}\t{verdict}\t{time.monotonic() - started:.0f}s\t{failed}\n")


if __name__ == "__main__":
    main()
