"""The Match Report (003 §8.26–8.27): what it shows, as a printable page's context and as a PDF.

It shows the probe face (the selected face's kept crop), the candidate's library image, the case
and Form 3 references, the library, rank and score, who adjudicated and when, the Adjudication
note, and the force profile's standard caveat verbatim. It never carries a template (§8.28).
The PDF is made in memory with fpdf2, in DejaVu Sans (shipped with matplotlib) so the caveat's
text prints as written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from frt.people.models import User
from frt.rfr import libraries
from frt.rfr.models import (
    RfrCandidate,
    RfrLibrary,
    RfrLibraryImage,
    RfrMatchReport,
    RfrProbeFace,
    RfrSearch,
)


@dataclass(frozen=True)
class ReportView:
    reference: str
    search_reference: str
    search_id: str
    case_reference: str
    library: str
    library_level: int | None
    rank: int
    score: float
    adjudicator: str
    adjudicated_at: datetime
    made_at: datetime
    note: str
    caveat: str
    caveat_cite: str
    algorithm: str
    candidate_id: str
    face_id: str


def view(session, report: RfrMatchReport) -> ReportView:
    cand = session.get(RfrCandidate, report.candidate_id)
    search = session.get(RfrSearch, report.search_id)
    lib = session.get(RfrLibrary, cand.library_id)
    who = session.get(User, cand.adjudicated_by)
    return ReportView(
        report.reference,
        search.reference,
        search.id,
        search.case_reference,
        f"{lib.reference} {lib.name}",
        lib.image_level,
        cand.rank,
        cand.score,
        who.display_name if who else "",
        cand.adjudicated_at,
        report.made_at,
        cand.note,
        report.caveat,
        report.caveat_cite,
        f"{search.algorithm} {search.version}",
        cand.id,
        cand.face_id,
    )


def images(session, cipher, report: RfrMatchReport) -> tuple[bytes | None, bytes | None]:
    """(probe face PNG, candidate image bytes), or None where no longer held."""
    cand = session.get(RfrCandidate, report.candidate_id)
    face = session.get(RfrProbeFace, cand.face_id)
    probe = (
        None
        if face.crop_sealed is None
        else cipher.open(face.crop_sealed, context=f"rfr_probe_faces.crop:{face.id}".encode())
    )
    image = session.get(RfrLibraryImage, cand.image_id)
    candidate = None if image.image_sealed is None else libraries.open_image(cipher, image)
    return probe, candidate


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def pdf(v: ReportView, probe: bytes | None, candidate: bytes | None) -> bytes:
    """The Match Report as a PDF (A4), made in memory."""
    from fpdf import FPDF
    from PIL import Image

    doc = FPDF(format="A4")
    doc.set_title(f"Match Report {v.reference}")
    doc.set_creator("FRT")
    doc.add_font("DejaVu", "", str(_font_dir() / "DejaVuSans.ttf"))
    doc.add_font("DejaVu", "B", str(_font_dir() / "DejaVuSans-Bold.ttf"))
    doc.add_page()
    doc.set_font("DejaVu", "B", 16)
    doc.cell(0, 10, f"Match Report {v.reference}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 9)
    doc.cell(
        0,
        5,
        "OFFICIAL-SENSITIVE. Retrospective Facial Recognition: an intelligence lead, "
        "not an identification.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(3)
    rows = [
        ("Case reference", v.case_reference),
        ("Form 3", v.search_reference),
        ("Library", f"{v.library} (Image Level {v.library_level})"),
        ("Candidate", f"rank {v.rank}, score {v.score:.4f}"),
        ("Algorithm", v.algorithm),
        ("Adjudicated by", v.adjudicator),
        ("Adjudicated at", f"{v.adjudicated_at:%d %B %Y %H:%M} UTC"),
        ("Report made", f"{v.made_at:%d %B %Y %H:%M} UTC"),
        ("Adjudication note", v.note),
    ]
    for label, value in rows:
        doc.set_font("DejaVu", "B", 10)
        doc.cell(45, 6, label)
        doc.set_font("DejaVu", "", 10)
        doc.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    top = doc.get_y()
    for n, (label, data) in enumerate(
        (("Probe (selected face)", probe), ("Candidate (library image)", candidate))
    ):
        x = doc.l_margin + n * 95
        doc.set_xy(x, top)
        doc.set_font("DejaVu", "B", 10)
        doc.cell(90, 6, label)
        if data:
            img = Image.open(io.BytesIO(data)).convert("RGB")
            img.thumbnail((600, 600))
            w, h = img.size
            scale = min(85 / w, 85 / h)
            doc.image(img, x=x, y=top + 7, w=w * scale, h=h * scale)
        else:
            doc.set_xy(x, top + 8)
            doc.cell(90, 6, "(no longer held)")
    doc.set_xy(doc.l_margin, top + 97)
    doc.set_font("DejaVu", "B", 11)
    doc.cell(0, 7, f"Standard caveat ({v.caveat_cite})", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 9.5)
    doc.multi_cell(0, 5, v.caveat, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
