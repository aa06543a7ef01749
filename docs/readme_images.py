"""Regenerate the README's pictures: both charts of the French example, and two pages of its DOCX.

    .venv/bin/python docs/readme_images.py

The DOCX pages need LibreOffice and poppler (Debian: libreoffice-writer-nogui poppler-utils); without
them only the charts are written. Nothing here runs in the tests.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from plannum_assistant.assistant import Assistant
from plannum_assistant.exports import export
from plannum_assistant.exports.charts import gantt_figure, png, radar_figure
from plannum_assistant.intake import load_intake
from plannum_assistant.review import new_stored_plan
from plannum_assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
PAGES = (2, 3)  # the summary and strategic plan, then the maturity profile and its radar


def main() -> int:
    assistant = Assistant(Settings())
    report = assistant.plan(load_intake(ROOT / "examples" / "intake-fr.yaml"), date(2026, 11, 26))
    assert report.maturity is not None

    def t(key: str, **params: object) -> str:
        return assistant.wording.text(key, report.language, **params)

    IMAGES.mkdir(parents=True, exist_ok=True)
    (IMAGES / "radar-fr.png").write_bytes(png(radar_figure(report.maturity, t)))
    prerequisites = {e.id: e.prerequisites for e in assistant.catalogue}
    (IMAGES / "gantt-fr.png").write_bytes(png(gantt_figure(report, prerequisites, t)))
    if not (shutil.which("soffice") and shutil.which("pdftoppm")):
        print("charts written; install LibreOffice and poppler for the DOCX pages", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        docx = folder / "plan.docx"
        plan = new_stored_plan("readme", report)
        docx.write_bytes(export(plan, report, assistant.wording, "docx", assistant.catalogue))
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", work, str(docx)], check=True)
        for page in PAGES:
            target = IMAGES / f"docx-page-{page}"
            pdf = str(folder / "plan.pdf")
            subprocess.run(
                ["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", pdf, str(target)],
                check=True,
            )
    print(f"written: {', '.join(sorted(p.name for p in IMAGES.iterdir()))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
