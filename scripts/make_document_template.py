"""Regenerate pufa_flow/documents/base.docx (the 公文 template) from pufa_flow/documents/template.py.

    .venv/bin/python scripts/make_document_template.py
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pufa_flow.documents.template import build_template  # noqa: E402

if __name__ == "__main__":
    target = ROOT / "pufa_flow" / "documents" / "base.docx"
    target.write_bytes(build_template())
    print(f"written: {target.relative_to(ROOT)}")
