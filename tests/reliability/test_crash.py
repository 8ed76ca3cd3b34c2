"""Crash safety (issue 5): the real `ledger` process, SIGKILLed at a random moment, on both backends.

`ledger import` of 50,000 events commits the events in one transaction and catches the projections up
in a second. Killed anywhere, the ledger holds the events it had plus all of the import or none of it,
the chain verifies, no query shows state that differs from the log, and the same import run again
succeeds. `ledger rebuild` is one transaction: killed anywhere, the projections stay equal to a
rebuild.

Each trial records when it was killed and what it found (the figures at the end of the run). The
default run kills each a couple of times per backend; LEDGER_SOAK=1 runs 20 import kills and 10
rebuild kills per backend.
"""

from __future__ import annotations

import json
import random
import time

import pytest
from support.runner import ledger_cli

from reliability.support import (
    PREFIX_ENTITIES,
    SOAK,
    assert_rebuild_check_ok,
    assert_show_matches_log,
    assert_verify_ok,
    kill_at,
    probe,
    seed_prefix,
    start_ledger,
)

IMPORT_KILLS = 20 if SOAK else 2
REBUILD_KILLS = 10 if SOAK else 1
STARTUP_S = 0.3  # `ledger` starting up before it touches the database
AIMS = ("write", "catch-up", "anywhere")
FIRST_COMMANDS = ("show", "rebuild --check", "list")  # the first command after the kill


@pytest.mark.parametrize("trial", range(IMPORT_KILLS))
def test_import_killed_at_a_random_moment_is_all_or_nothing(
    db_url, backend, corpus, import_timing, trial, record_trial
):
    rng = random.Random()
    # Where the kill aims: while the events are written (before their commit), after the commit while
    # the projections catch up, or anywhere in the import's expected run.
    aim_at = AIMS[trial % len(AIMS)]
    first_command = FIRST_COMMANDS[(trial + trial // 3) % 3]  # nine trials: every pair of the two
    held = seed_prefix(db_url)
    full = held + corpus.events
    with probe(db_url) as p:
        before = p.state()
        assert before[0] == before[2] == held
        started = time.monotonic()
        proc = start_ledger(db_url, "import", str(corpus.path))
        if aim_at == "catch-up":
            give_up = started + 10 * import_timing.total_s + 60
            while p.head_position() < full and proc.poll() is None and time.monotonic() < give_up:
                time.sleep(0.01)
            aim = time.monotonic() - started + rng.uniform(0, 0.9 * import_timing.catch_up_s)
        elif aim_at == "write":
            aim = rng.uniform(STARTUP_S / 2, import_timing.commit_s)
        else:
            aim = rng.uniform(0, 0.95 * import_timing.total_s)
        kill = kill_at(p, proc, started, aim)
        count, head_hash, checkpoint = p.state()

    outcome = "none" if count == held else "all" if count == full else f"partial: {count - held} events"
    if outcome == "none":
        phase = "none (killed before the commit)"
    elif outcome == "all" and checkpoint < count:
        phase = "all (killed during the projections' catch-up)"
    elif outcome == "all":
        phase = "all (finished before the kill)" if kill.finished else "all (killed after the catch-up)"
    else:
        phase = outcome
    trial_figures = record_trial(
        kind="import-kill",
        backend=backend,
        events=corpus.events,
        expected_s=import_timing.total_s,
        aimed_at=aim_at,
        killed_at_s=round(kill.at_s, 3),
        finished_before_kill=kill.finished,
        in_write_transaction=kill.in_transaction,
        outcome=outcome,
        phase=phase,
        checkpoint_behind=count - checkpoint,
        first_command=first_command,
        reimport_ok=False,
    )

    # All or nothing: the events held before, plus the whole import or none of it.
    assert outcome in ("none", "all"), (
        f"killed at {kill.at_s:.2f} s, the ledger holds {held} + {count - held} events: "
        f"neither none nor all of the {corpus.events} imported"
    )
    if outcome == "none":
        assert head_hash == before[1]
    assert_verify_ok(db_url, count)

    # The next command, whichever it is, answers from projections equal to the log.
    corpus_named = outcome == "all"
    known = dict.fromkeys(PREFIX_ENTITIES, True) | {
        corpus.hot_company: corpus_named,
        corpus.sample_plant: corpus_named,
    }
    if first_command == "rebuild --check":
        assert_rebuild_check_ok(db_url)
        assert_show_matches_log(db_url, known)
    elif first_command == "list":
        listed = ledger_cli(db_url, "list", "companies", "--json")
        assert listed.exit_code == 0, listed.stderr
        ids = {company["id"] for company in json.loads(listed.stdout)}
        assert "company:nissan" in ids
        assert (corpus.hot_company in ids) == corpus_named
        assert ledger_cli(db_url, "rebuild").exit_code == 0
        assert ledger_cli(db_url, "list", "companies", "--json").stdout == listed.stdout
        assert_show_matches_log(db_url, known)
        assert_rebuild_check_ok(db_url)
    else:
        assert_show_matches_log(db_url, known)
        assert_rebuild_check_ok(db_url)

    # Importing the same file again completes the import (or finds it all present).
    again = ledger_cli(db_url, "import", str(corpus.path), "--json")
    assert again.exit_code == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["appended"], summary["skipped"]) == (
        (corpus.events, 0) if outcome == "none" else (0, corpus.events)
    )
    with probe(db_url) as p:
        assert p.count() == p.head_position() == p.checkpoint() == full
    assert_show_matches_log(db_url, dict.fromkeys(known, True))
    trial_figures["reimport_ok"] = True


@pytest.mark.parametrize("trial", range(REBUILD_KILLS))
def test_rebuild_killed_at_a_random_moment_leaves_projections_consistent(
    loaded_db_url, backend, corpus, import_timing, trial, record_trial
):
    url = loaded_db_url
    rng = random.Random()
    first_command = ("show", "rebuild --check")[trial % 2]
    entities = dict.fromkeys((corpus.hot_company, corpus.sample_plant), True)
    shown_before = assert_show_matches_log(url, entities)
    with probe(url) as p:
        before = p.state()
        started = time.monotonic()
        proc = start_ledger(url, "rebuild")
        aim = rng.uniform(0.05, STARTUP_S + 0.95 * import_timing.catch_up_s)  # the catch-up is a rebuild
        kill = kill_at(p, proc, started, aim)
        after = p.state()
    trial_figures = record_trial(
        kind="rebuild-kill",
        backend=backend,
        events=corpus.events,
        killed_at_s=round(kill.at_s, 3),
        finished_before_kill=kill.finished,
        in_write_transaction=kill.in_transaction,
        first_command=first_command,
        consistent=False,
    )

    assert after == before, "a rebuild changed the log or left the checkpoint elsewhere"
    if first_command == "rebuild --check":
        assert_rebuild_check_ok(url)
        assert assert_show_matches_log(url, entities) == shown_before
    else:
        assert assert_show_matches_log(url, entities) == shown_before
        assert_rebuild_check_ok(url)
    if SOAK:  # `rebuild --check` compared every table with a fresh rebuild; here a user's own rebuild
        rebuilt = ledger_cli(url, "rebuild")
        assert rebuilt.exit_code == 0, rebuilt.stderr
        assert assert_show_matches_log(url, entities) == shown_before
    assert_verify_ok(url, corpus.events)
    trial_figures["consistent"] = True
