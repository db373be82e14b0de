"""notifications/ is an engine: importing all of it loads neither Flask nor the app."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_engine_imports_no_app_and_no_flask():
    package = ROOT / "notifications"
    modules = sorted("notifications." + p.relative_to(package).with_suffix("").as_posix().replace("/", ".")
                     for p in package.rglob("*.py") if p.name != "__init__.py")
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'pufa_flow', 'flask_sqlalchemy'))\n"
            + "print(','.join(bad))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "notifications.scheduler" in modules and "notifications.channels.sms" in modules
    assert result.stdout.strip() == ""
