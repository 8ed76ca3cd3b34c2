"""How the pictures look, in one place: the colour of each claim status, the mark of each statement and
correction, the shape of each entity kind. The timeline and the graph both read it, so a status has the
same colour in both, and each legend is drawn from these tables.

The colours are the Okabe-Ito palette, told apart by the common kinds of colour blindness; the marks
differ in shape too, never only in colour.
"""

from __future__ import annotations

from dataclasses import dataclass

# A claim's status (and a field's basis, which is the status of the claim that set it).
STATUS_COLOURS: dict[str, str] = {
    "announced": "#0072B2",  # blue: the company said so itself
    "reported": "#E69F00",  # orange: the press says so, nobody confirmed
    "confirmed": "#009E73",  # green
    "denied": "#D55E00",  # vermilion
    "disputed": "#CC79A7",  # reddish purple: confirmed by some, denied by others
    "retracted": "#8C8C8C",  # grey: its origins withdrew it
    "voided": "#CFCFCF",  # light grey: struck from the ledger
}
NO_BASIS_COLOUR = "#9DB3C8"  # a field the projection gives no basis for (a plant's operator)
# A status that no longer shapes the projections (not in `APPLICABLE_STATUSES`) is drawn hatched.
HATCH = "////"


@dataclass(frozen=True)
class Mark:
    """A matplotlib marker, its fill and edge, and the words the legend gives it."""

    marker: str
    face: str
    edge: str
    legend: str
    size: float = 9.0


# The claim itself (filled with its status colour when drawn), each stance a statement can take, and
# the two corrections.
CLAIM_MARK = Mark("o", "status", "#1A1A1A", "claim made (its sources)", 10.0)
STANCE_MARKS: dict[str, Mark] = {
    "confirmed": Mark("^", STATUS_COLOURS["confirmed"], "#1A1A1A", "confirmed by"),
    "denied": Mark("X", STATUS_COLOURS["denied"], "#1A1A1A", "denied by", 10.0),
    "unconfirmed": Mark("o", "#FFFFFF", "#1A1A1A", "neither confirmed nor denied"),
    "no_comment": Mark("s", "#FFFFFF", "#6E6E6E", "no comment", 8.0),
    "retracted": Mark("v", STATUS_COLOURS["retracted"], "#1A1A1A", "retracted by its source"),
}
CORRECTION_MARKS: dict[str, Mark] = {
    "entry.corrected": Mark("D", "#FFFFFF", "#1A1A1A", "entry corrected (ledger time)", 7.0),
    "entry.voided": Mark("D", "#1A1A1A", "#1A1A1A", "entry voided (ledger time)", 7.0),
}
FADED_ALPHA = 0.35  # a voided statement, or one that does not count for the claim

AS_OF_COLOUR = "#1A1A1A"
KNOWN_AT_COLOUR = "#7B3294"

# The graph: one shape and fill per entity kind (Graphviz shape names; Mermaid gets the fill).
KIND_SHAPES: dict[str, tuple[str, str]] = {
    "company": ("box", "#E8F1FA"),
    "plant": ("house", "#FDF3E1"),
    "partnership": ("ellipse", "#EAF6F0"),
    "authority": ("hexagon", "#F6EAF2"),
}
# The same kinds in Mermaid: the brackets around a node's label (box, trapezoid, stadium, hexagon).
MERMAID_BRACKETS: dict[str, tuple[str, str]] = {
    "company": ("[", "]"),
    "plant": ("[/", "\\]"),
    "partnership": ("([", "])"),
    "authority": ("{{", "}}"),
}
TIE_COLOUR = "#555555"  # a tie the projection gives no basis for (parent, owner, operator)
