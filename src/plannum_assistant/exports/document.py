"""Word documents (python-docx): a page header on every page, page numbers, real headings and
tables a consultant edits; text made safe for Word's XML. The consultant's note is one; the plan's
report (:mod:`.word`) builds on the same document.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from ..consultant_note import ConsultantNote

Table = list[list[str]]
TEXT_WIDTH_CM = 17.0  # Letter or A4 with 2 cm margins


class WordDocument:
    """A python-docx document with ``header`` on every page and page numbers in the footer."""

    def __init__(self, header: str) -> None:
        from docx import Document
        from docx.shared import Cm

        self.banner = header
        self.document: Any = Document()
        section = self.document.sections[0]
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2))
        section.header.paragraphs[0].text = xml_safe(header)
        _page_numbers(section.footer.paragraphs[0])

    def heading(self, text: str, level: int = 1) -> None:
        self.document.add_heading(xml_safe(text), level=level)

    def paragraph(self, text: str, style: str | None = None, *, bold: bool = False, italic: bool = False) -> None:
        paragraph = self.document.add_paragraph(style=style)
        run = paragraph.add_run(xml_safe(text))
        run.bold, run.italic = bold, italic

    def bullets(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.document.add_paragraph(xml_safe(line), style="List Bullet")

    def table(self, headers: Sequence[str], rows: Table, widths: Sequence[float] | None = None) -> None:
        """A Word table (style "Table Grid"), bold header row repeated on every page, 8.5 pt text;
        ``widths`` are relative column weights over the page's text width."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt

        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.autofit = False
        header = table.rows[0]
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header._tr.get_or_add_trPr().append(repeat)
        for cell, text in zip(header.cells, headers, strict=True):
            cell.text = xml_safe(text)
        for row in rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = xml_safe(str(text))
        weights = list(widths or [1.0] * len(headers))
        for column, weight in zip(table.columns, weights, strict=True):
            column.width = Cm(TEXT_WIDTH_CM * weight / sum(weights))  # the grid LibreOffice reads
        for index, row in enumerate(table.rows):
            for cell, weight in zip(row.cells, weights, strict=True):
                cell.width = Cm(TEXT_WIDTH_CM * weight / sum(weights))
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(8.5)
                        run.bold = index == 0

    def picture(self, png: bytes, caption: str) -> None:
        from docx.shared import Cm

        self.document.add_picture(io.BytesIO(png), width=Cm(16))
        self.paragraph(caption, "Caption")

    def page_break(self) -> None:
        self.document.add_page_break()

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def note_docx(note: ConsultantNote, header: str | None = None) -> bytes:
    """The consultant's note: ``header`` (a stored plan's approval stamp) or its title on every page,
    the sections as headings, bullets and numbers."""
    doc = WordDocument(header or note.title)
    doc.document.add_heading(xml_safe(note.title), level=0)
    doc.paragraph(note.purpose, italic=True)
    for section in note.sections:
        doc.heading(section.heading)
        style = {"bullets": "List Bullet", "numbered": "List Number"}.get(section.kind)
        for line in section.lines:
            doc.paragraph(line.replace("`", ""), style)
    return doc.bytes()


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text a Word document can hold: control characters (which XML forbids) become spaces."""
    return _ILLEGAL.sub(" ", text)


def _page_numbers(paragraph: Any) -> None:
    """A PAGE field in the footer: Word and LibreOffice number the pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.text = text
            run._r.append(instruction)
