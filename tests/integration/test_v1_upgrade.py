"""A ledger written by the v1 release upgrades with `ledger init` alone, and no stored byte changes.

`tests/data/v1-ledger/` was made with the last v1 release (schema 0003): `v1-export.jsonl` is its
`ledger export`, `v1-log-tables.json` the rows its writer put in the log's three tables, `v1-verify.json`
its `ledger verify --json`, and `show/` its `ledger show --json` of each entity. The test puts those rows
into a database migrated to 0003, as that release left it, and upgrades it.
"""

from __future__ import annotations

import json

import pytest
from support.runner import ledger_cli
from support.v1_ledger import DATA, v1_ledger

EXPORT = (DATA / "v1-export.jsonl").read_bytes()


@pytest.fixture
def upgraded(blank_db_url: str) -> str:
    v1_ledger(blank_db_url)
    result = ledger_cli(blank_db_url, "init")
    assert result.exit_code == 0, result.stderr
    return blank_db_url


def test_the_upgrade_keeps_the_chain_head_and_verify_says_so(upgraded):
    result = ledger_cli(upgraded, "verify", "--json")

    assert result.exit_code == 0, result.stderr
    said, v1_said = json.loads(result.stdout), json.loads((DATA / "v1-verify.json").read_text())
    assert {key: said[key] for key in v1_said} == v1_said  # what v1 printed; keys added since, beside it
    assert said["tree_root"] is not None  # `init` built the Merkle tree of the upgraded log


def test_the_upgraded_ledger_exports_the_v1_export_byte_for_byte(upgraded, tmp_path):
    out = tmp_path / "export.jsonl"
    assert ledger_cli(upgraded, "export", "--out", str(out)).exit_code == 0

    assert out.read_bytes() == EXPORT


def test_the_v1_export_restores_and_exports_again_byte_for_byte(tmp_path):
    url = f"sqlite:///{tmp_path / 'restored.db'}"
    assert ledger_cli(url, "init").exit_code == 0
    (tmp_path / "v1.jsonl").write_bytes(EXPORT)
    assert ledger_cli(url, "import", "--restore", str(tmp_path / "v1.jsonl")).exit_code == 0
    out = tmp_path / "export.jsonl"
    assert ledger_cli(url, "export", "--out", str(out)).exit_code == 0

    assert out.read_bytes() == EXPORT
    assert ledger_cli(url, "verify").exit_code == 0


def test_events_print_v1_events_verbatim_without_a_version(upgraded):
    result = ledger_cli(upgraded, "events", "--json")

    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line for line in lines if "v" in line] == []
    assert len(lines) == 19


def test_queries_show_the_v1_events_in_the_v2_shape(upgraded):
    def show(entity: str) -> dict:
        result = ledger_cli(upgraded, "show", entity, "--json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    v1_dayton = json.loads((DATA / "show" / "plant--acme-dayton.json").read_text())
    dayton = show("plant:acme-dayton")
    # v1's `share: "100%"` is upcast to `percent: 100`: the buyer now operates the plant.
    assert (v1_dayton["operator"], dayton["operator"]) == ("company:acme-motors", "company:nissan")
    assert [(s["percent"], s["share_text"]) for s in dayton["stakes"]] == [(49, None), (100, None)]
    oppama_deal = show("partnership:nissan-foxconn-oppama")
    assert oppama_deal["acquisition"]["stake_text"] == "a portion of the plant"
    assert "stake" not in oppama_deal["acquisition"]


def test_the_upgrade_rebuilt_projections_equal_a_fresh_rebuild(upgraded):
    assert ledger_cli(upgraded, "rebuild", "--check").exit_code == 0
