"""Shell completion: `ledger completion bash|zsh|fish` prints the script a shell loads, and the values
each parameter completes: commands and options (click's own), entity kinds, claim statuses, event types,
source kinds, the words a metavar lists (`--format dot|mermaid|html|svg`), and the entity ids of the
ledger at hand (the --db given on the line, else LEDGER_DB).

The shell runs `ledger` with `_LEDGER_COMPLETE=complete_SHELL` and the words typed (bash: COMP_WORDS and
COMP_CWORD; zsh and fish: _TYPER_COMPLETE_ARGS); the console-script entry hands that to the Typer app,
which prints the candidates and exits. Reading ids from the ledger never fails aloud: a ledger that is not
there, cannot be read or has no schema completes nothing, and a SQLite file is only ever opened read-only
(completing never creates or changes a database).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

# Typer's own completion machinery, which it keeps in private modules (it has no public API for them).
from typer._click.shell_completion import CompletionItem, add_completion_class
from typer._completion_classes import BashComplete, FishComplete, ZshComplete
from typer._completion_shared import get_completion_script

from ledger.entities import KINDS, PLURALS
from ledger.vocabulary.terms import CLAIM_STATUSES, SOURCE_KINDS

PROG = "ledger"
COMPLETE_VAR = "_LEDGER_COMPLETE"
SHELLS = ("bash", "zsh", "fish")
MAX_IDS = 200  # ids offered for one prefix

# Bash cuts words at ':' (COMP_WORDBREAKS), so `plant:nissan` and `sqlite:///x.db` reach a completion
# function in pieces: the function puts them back together before asking `ledger`, and takes the part
# before the last ':' off the candidates, since bash replaces only what follows it.
BASH_SCRIPT = r"""
%(complete_func)s() {
    local IFS=$'\n' words=() i cur prefix
    for ((i = 0; i <= COMP_CWORD; i++)); do
        if ((i > 1)) && [[ ${COMP_WORDS[i]} == : || ${COMP_WORDS[i-1]} == : ]]; then
            words[${#words[@]}-1]+=${COMP_WORDS[i]}
        else
            words+=("${COMP_WORDS[i]}")
        fi
    done
    COMPREPLY=( $( env COMP_WORDS="${words[*]}" COMP_CWORD=$((${#words[@]} - 1)) \
                   %(autocomplete_var)s=complete_bash "$1" 2>/dev/null ) )
    cur=${words[${#words[@]}-1]}
    if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
        prefix=${cur%%"${cur##*:}"}
        for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}; done
    fi
    if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *: ]]; then compopt -o nospace; fi
    return 0
}

complete -o default -F %(complete_func)s %(prog_name)s
"""


class LedgerBashComplete(BashComplete):
    """Typer's bash completion, with ids and URLs that hold a ':' kept whole."""

    source_template = BASH_SCRIPT

    def source(self) -> str:
        return self.source_template % self.source_vars()  # (Typer's also runs bash to check its version)


for _shell, _class in (("bash", LedgerBashComplete), ("zsh", ZshComplete), ("fish", FishComplete)):
    add_completion_class(_class, _shell)


def script(shell: str) -> str:
    """The completion script `shell` loads."""
    if shell == "bash":
        return (
            BASH_SCRIPT
            % {"complete_func": f"_{PROG}_completion", "prog_name": PROG, "autocomplete_var": COMPLETE_VAR}
        ).strip()
    return get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell)


def completion(
    shell: Annotated[str, typer.Argument(metavar="|".join(SHELLS), help="The shell to complete in.")],
) -> None:
    """Print the shell completion script for bash, zsh or fish: commands, options, entity kinds and ids
    (of the ledger --db or LEDGER_DB names), claim statuses, event types.

    Load it from the shell's start-up file:

    \b
      ~/.bashrc  eval "$(ledger completion bash)"
      ~/.zshrc   eval "$(ledger completion zsh)"   (after compinit)
      fish       ledger completion fish > ~/.config/fish/completions/ledger.fish

    Example: ledger completion bash >> ~/.bashrc
    """
    import sys

    from ledger.errors import InvalidArgument

    if shell not in SHELLS:
        raise InvalidArgument(
            f"unknown shell {shell!r}: expected one of {', '.join(SHELLS)}", parameter="shell"
        )
    sys.stdout.write(script(shell) + "\n")


# -- the values of parameters ------------------------------------------------------------------------------
Completer = Callable[[Any, Any, str], list[CompletionItem]]


def _starting(incomplete: str, values: Any) -> list[CompletionItem]:
    return [CompletionItem(value) for value in values if value.startswith(incomplete)]


def kinds(_ctx: Any, _param: Any, incomplete: str) -> list[CompletionItem]:
    return _starting(incomplete, PLURALS)


def statuses(_ctx: Any, _param: Any, incomplete: str) -> list[CompletionItem]:
    return _starting(incomplete, CLAIM_STATUSES)


def event_types(_ctx: Any, _param: Any, incomplete: str) -> list[CompletionItem]:
    from ledger.vocabulary.entity_fields import EVENT_TYPES

    return _starting(incomplete, sorted(EVENT_TYPES))


def sources(_ctx: Any, _param: Any, incomplete: str) -> list[CompletionItem]:
    """NAME[:KIND]: the kinds, once a name and a ':' are typed."""
    name, colon, _kind = incomplete.rpartition(":")
    if not colon or not name:
        return []
    return _starting(incomplete, [f"{name}:{kind}" for kind in SOURCE_KINDS])


def entity_ids(ctx: Any, _param: Any, incomplete: str) -> list[CompletionItem]:
    """`kind:` for a bare word; after `kind:`, the ids of that kind in the ledger that start so."""
    kind, colon, _slug = incomplete.partition(":")
    if not colon:
        return _starting(incomplete, [f"{k}:" for k in KINDS])
    if kind not in KINDS:
        return []
    try:
        return _starting(incomplete, ledger_ids(database(ctx), kind, incomplete))
    except Exception:  # completing must never print an error into the command line being typed
        return []


def database(ctx: Any) -> str:
    """The database the command line being completed names: its --db, else LEDGER_DB, else the default."""
    from ledger.cli.context import db_from_environment

    given = ctx.find_root().params.get("db")
    return given or db_from_environment()


def ledger_ids(url: str, kind: str, prefix: str) -> list[str]:
    """Ids of `kind` starting with `prefix` (`kind:...`), through the public API: the search index for a
    slug begun, every entity of the kind for `kind:` alone. A SQLite ledger is opened read-only, and only
    if its file is there."""
    import ledger
    from ledger.store.urls import parse_url

    target = parse_url(url)
    if target.sqlite_path is not None:
        if target.sqlite_path == ":memory:" or not Path(target.sqlite_path).is_file():
            return []
        if "?" not in url:
            url += "?mode=ro"
    with ledger.open(url) as opened:
        if prefix == f"{kind}:":
            found = [entity["id"] for entity in opened.list(KINDS[kind])]
        else:
            found = [hit["id"] for hit in opened.search(prefix, kind=KINDS[kind], limit=MAX_IDS)]
    return sorted(entity_id for entity_id in found if entity_id.startswith(prefix))[:MAX_IDS]


# A parameter's name (as the command function names it) -> what completes its values.
BY_NAME: dict[str, Completer] = {
    "entity": entity_ids,
    "entities": entity_ids,
    "kind": kinds,
    "status": statuses,
    "event_type": event_types,
    "source": sources,
}


def for_parameter(param: Any) -> Completer | None:
    """What completes `param`: by its name, else the words of a metavar that lists them
    (`dot|mermaid|html|svg`, `oppama|sanand`, `bash|zsh|fish`)."""
    found = BY_NAME.get(param.name or "")
    if found is not None:
        return found
    words = (param.metavar or "").split("|")
    if len(words) < 2 or not all(re.fullmatch(r"[a-z0-9-]+", word) for word in words):
        return None
    return lambda _ctx, _param, incomplete: _starting(incomplete, words)
