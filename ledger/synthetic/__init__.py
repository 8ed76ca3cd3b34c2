"""A deterministic, realistic synthetic corpus of events (JSONL, one event a line), for benchmarks,
soak tests and trying the ledger at scale.

Why synthetic: a benchmark needs a million events with the shape of real use (registrations, claims of
every type with several sources, statements on earlier claims, a few corrections and voids, a few hot
entities, world time out of order), and the same bytes for the same seed on every machine.

    python -m ledger.synthetic --n 1000000 --seed 7 --out /tmp/corpus.jsonl [--check]

Rules the generator keeps (checked by `--check`): every line passes `ledger.validation.validate_event`;
every event has a UUID `id`; `refs` name earlier lines only; statements reference claims only;
corrections target claims or statements, never corrections, and a replacement is valid data for its
target's type.
"""

from ledger.synthetic.generator import CorpusInfo, generate, write_corpus
from ledger.synthetic.pools import HOT_COMPANY

__all__ = ["HOT_COMPANY", "CorpusInfo", "generate", "write_corpus"]
