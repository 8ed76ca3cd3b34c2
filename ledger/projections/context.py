"""What one entity's fold needs to know about other entities: company groups, a partnership's parties,
mergers and who operates a plant.

A claim's status can hang on facts recorded elsewhere: a parent company's denial counts for its
subsidiary's deal (the group rule), a completion counts statements by the partnership's parties, and a
merger moves the absorbed companies' plants. `Context` answers those questions from the events of the
entities concerned, read through `load` (the entity index), lazily and once per entity. It is pure
Python; the caller decides where events come from.

The facts it uses are judged by their own parties only: a parent-company claim, or a claim naming a
partnership's parties, counts the statements of the companies it names, never those of their groups.
That keeps the rule from depending on itself.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ledger.events import StoredEvent
from ledger.projections.facts import Fact, facts_of
from ledger.vocabulary.entity_fields import CATEGORIES, ENTITY_FIELDS, companies_in, entities_in
from ledger.vocabulary.upcasters import upcast

if TYPE_CHECKING:
    from ledger.projections.company_links import CompanyLinks

Loader = Callable[[str], list[StoredEvent]]  # an entity's events and the events they reference
# Claims of some types indexed under an entity, and the statements and corrections about them.
TypedLoader = Callable[[str, tuple[str, ...]], list[StoredEvent]]


class ManyLoader(Protocol):
    """`TypedLoader` of many entities at once; `rare`: few events have these types (find them first)."""

    def __call__(
        self, entity_ids: Sequence[str], types: Sequence[str], *, rare: bool = False
    ) -> dict[str, list[StoredEvent]]: ...


_PARENT_TYPES = ("company.registered", "company.parent_changed", "company.spun_off")
GROUP_TYPES = (*_PARENT_TYPES, "company.merged")  # a company's place in its group, and mergers
# The claims about a plant that can set who operates it.
PLANT_NAMING = ("plant.registered", "plant.operator_changed", "plant.reopened", "plant.stake_transferred")
_OPERATOR_SETTERS = (*PLANT_NAMING, "company.spun_off")  # what `plant.project` reads for `operator`
# The claims that name a deal's parties, read off the vocabulary.
PARTY_NAMING = tuple(t for t, fields in ENTITY_FIELDS.items() if any(key == "parties" for key, *_ in fields))
_PARTY_NAMING = PARTY_NAMING
RARE_FIRST = 20  # companies from which their group facts are found by type first (see claims_about_many)
MEMO_ENTITIES = 20_000  # entities whose facts a context keeps (a rebuild worker reads many ranges)
MAX_DEPTH = 32  # a parent chain longer than this is a data error (or a cycle): stop walking


class Reads(Protocol):
    """What a context reads the log with (the store's `LogTables` has these)."""

    def entity_events(self, entity_id: str) -> list[StoredEvent]: ...
    def claims_about(self, entity_id: str, types: Sequence[str]) -> list[StoredEvent]: ...
    def claims_about_many(
        self, entity_ids: Sequence[str], types: Sequence[str], *, rare: bool = False
    ) -> dict[str, list[StoredEvent]]: ...


@dataclass
class Context:
    """Lazily read facts about other entities, as the ledger knew them at position `known_at` (None:
    now)."""

    load: Loader
    known_at: int | None = None
    load_typed: TypedLoader | None = None  # cheaper than `load` for a busy company's group facts
    load_many: ManyLoader | None = None  # `load_typed` of many entities in a few queries
    _facts: OrderedDict[tuple[str, tuple[str, ...] | None], list[Fact]] = field(
        default_factory=OrderedDict, repr=False
    )
    # Facts of every entity, of the types read whole at once (`preload_groups`): type tuple -> entity -> facts
    _preloaded: dict[tuple[str, ...], dict[str, list[Fact]]] = field(default_factory=dict, repr=False)
    _seeded: dict[tuple[str, tuple[str, ...] | None], list[StoredEvent]] = field(
        default_factory=dict, repr=False
    )  # events to work facts out from, should the fold at hand ask (see know_parties)
    _type_keys: set[tuple[str, ...] | None] = field(
        default_factory=set, repr=False
    )  # the kinds of reads made
    _operators: dict[str, str | None] = field(default_factory=dict, repr=False)
    # Operators known without a fold, of those plants it knows: off the projection tables, for a moment
    # whose plants mostly stand as they do now (`ledger.changes`); from the plants' own documents, in a
    # rebuild's workers (`ledger.read_model.workers`).
    known_operators: Callable[[list[str]], dict[str, str | None]] | None = field(default=None, repr=False)
    # In a rebuild's workers: what the plants' and partnerships' folds found of the claims a company's
    # fold leaves out (`ledger.projections.company_links`).
    company_links: CompanyLinks | None = field(default=None, repr=False)

    @classmethod
    def over(cls, reads: Reads, known_at: int | None = None) -> Context:
        """A context reading the log through `reads`, as known at `known_at` (None: now)."""
        return cls(reads.entity_events, known_at, reads.claims_about, reads.claims_about_many)

    def read_through(self, reads: Reads) -> None:
        """Read through another transaction on the same log from now on (what is known is kept)."""
        self.load, self.load_typed, self.load_many = (
            reads.entity_events,
            reads.claims_about,
            reads.claims_about_many,
        )

    # -- groups ------------------------------------------------------------------------------------------
    def parent(self, company: str, at: int) -> str | None:
        """The company's parent at world time `at` (None: independent, or not known)."""
        parent = None
        for fact in self.facts(company, GROUP_TYPES):
            if fact.key > at:
                break
            if not fact.applies or fact.type not in _PARENT_TYPES or fact.data.get("company") != company:
                continue
            if fact.type == "company.registered":
                parent = fact.data.get("parent", parent)  # a registration without parent says nothing
            elif fact.type == "company.parent_changed":
                parent = fact.data.get("parent")
            else:  # spun off: on its own from now on
                parent = None
        return parent

    def ancestors(self, company: str, at: int) -> list[str]:
        """The parent chain, nearest first."""
        chain: list[str] = []
        current = self.parent(company, at)
        while current is not None and current not in chain and current != company and len(chain) < MAX_DEPTH:
            chain.append(current)
            current = self.parent(current, at)
        return chain

    def grouped(self, speaker: str, party: str, at: int) -> bool:
        """Whether `speaker` is in `party`'s group at `at`: on its parent chain, or below it."""
        if not speaker.startswith("company:") or not party.startswith("company:"):
            return False
        return speaker in self.ancestors(party, at) or party in self.ancestors(speaker, at)

    # -- partnerships ----------------------------------------------------------------------------------
    def partnership_parties(self, partnership: str, at: int) -> tuple[str, ...]:
        """The partnership's parties as projected at `at`: the latest applicable claim naming them, else
        the latest one that is not voided (its identity stays known while a stage is denied)."""
        applicable: tuple[str, ...] = ()
        fallback: tuple[str, ...] = ()
        for fact in self.facts(partnership, _PARTY_NAMING):
            if fact.key > at:
                break
            if fact.data.get("partnership") != partnership or "parties" not in fact.data:
                continue
            if fact.applies:
                applicable = tuple(fact.data["parties"])
            if fact.status != "voided":
                fallback = tuple(fact.data["parties"])
        return applicable or fallback

    def know_parties(self, partnership: str, events: Iterable[StoredEvent]) -> None:
        """The partnership's own events, as its fold reads them (every claim indexed under it and what is
        said about each), hold what `partnership_parties` would read back from the log: take its facts
        from there. (A referenced claim that does not name the partnership is among them; its facts are
        never used, as the parties are read only off claims that name it.)"""
        key = (partnership, _PARTY_NAMING)
        self._seeded.clear()  # only the fold at hand: what it is about to ask
        if self.load_typed is None or key in self._facts:
            return
        events = list(events)
        claims = {e.id for e in events if e.type in _PARTY_NAMING}
        self._seeded[key] = [e for e in events if e.id in claims or any(ref in claims for ref in e.refs)]

    # -- plants and mergers ----------------------------------------------------------------------------
    def absorbed_by(self, company: str, since: int) -> tuple[str, Fact] | None:
        """The company that absorbed `company` by an applicable merger at or after `since`, following
        later mergers of the absorber too; None if it was not absorbed."""
        found: tuple[str, Fact] | None = None
        seen = {company}
        current, after = company, since
        while len(seen) <= MAX_DEPTH:
            merger = next(
                (
                    f
                    for f in self.facts(current, GROUP_TYPES)
                    if f.type == "company.merged"
                    and f.applies
                    and f.key >= after
                    and current in f.data["companies"]
                ),
                None,
            )
            if merger is None or merger.data["into"] in seen:
                return found
            current, after = merger.data["into"], merger.key
            seen.add(current)
            found = (current, merger)
        return found

    def operator(self, plant: str) -> str | None:
        """Who operates the plant, as its own projection says."""
        if self._unknown_operators([plant]):
            from ledger.projections.fold import fold  # the plant's fold may ask this context again

            # The plant's own fold, of the claims that can set its operator only (and what is said
            # about them): the same rules at a fraction of a busy plant's events.
            events = (
                self.load(plant) if self.load_typed is None else self.load_typed(plant, _OPERATOR_SETTERS)
            )
            view = fold(plant, events, known_at=self.known_at, context=self)
            self._operators[plant] = None if view is None else view.state["operator"]
        return self._operators[plant]

    def _unknown_operators(self, plants: list[str]) -> list[str]:
        """Those of `plants` whose operator is neither worked out yet nor known (`known_operators`)."""
        wanted = [p for p in plants if p not in self._operators]
        if wanted and self.known_operators is not None:
            self._operators.update(self.known_operators(wanted))
            wanted = [p for p in wanted if p not in self._operators]
        return wanted

    def operators(self, plants: Iterable[str]) -> dict[str, str | None]:
        """`operator` of each of `plants`, the claims of those not known yet read in one go (a company
        asks about every plant it may operate)."""
        plants = list(plants)
        wanted = self._unknown_operators(plants)
        if len(wanted) > 1 and self.load_many is not None:
            from ledger.projections.fold import fold

            read = self.load_many(wanted, _OPERATOR_SETTERS)
            named = {e for events in read.values() for event in events for e in _companies_in(event)}
            self.prefetch(named, ())  # the plants' folds follow mergers of the companies they name
            for plant, events in read.items():
                view = fold(plant, events, known_at=self.known_at, context=self)
                self._operators[plant] = None if view is None else view.state["operator"]
        return {plant: self.operator(plant) for plant in plants}

    def subtree(self, company: str) -> set[str]:
        """The company and every company any claim has ever placed below it (whatever their status:
        this is what may change, not what holds)."""
        found = {company}
        frontier = [company]
        while frontier and len(found) < 10_000:
            parent = frontier.pop()
            for fact in self.facts(parent, GROUP_TYPES):
                child = fact.data.get("company")
                if fact.data.get("parent") == parent and child and child not in found:
                    found.add(child)
                    frontier.append(child)
        return found

    def uplines(self, company: str) -> set[str]:
        """Every company any claim has ever placed above the company, up every chain (whatever their
        status, as `subtree`)."""
        found: set[str] = set()
        frontier = [company]
        while frontier and len(found) < 10_000:
            child = frontier.pop()
            for fact in self.facts(child, GROUP_TYPES):
                parent = fact.data.get("parent")
                if fact.data.get("company") == child and parent and parent not in found and parent != company:
                    found.add(parent)
                    frontier.append(parent)
        return found

    def plants_named(self, company: str) -> set[str]:
        """Plants named by the claims indexed under a company (candidates for what it operates)."""
        found: set[str] = set()
        for fact in self.facts(company, _OPERATOR_SETTERS):
            if "plant" in fact.data and fact.data["plant"].startswith("plant:"):
                found.add(fact.data["plant"])
            if fact.type == "company.spun_off":
                found.update(fact.data.get("plants", ()))
        return found

    # -- reading ---------------------------------------------------------------------------------------
    def prefetch(self, companies: Iterable[str], partnerships: Iterable[str]) -> None:
        """Read at once the group facts of `companies` and the party facts of `partnerships` that are
        not known yet: a fold of a busy entity asks about thousands, one query each otherwise."""
        if self.load_many is None:
            return
        self._prefetch(partnerships, _PARTY_NAMING)
        for _ in range(MAX_DEPTH):  # and the parents they name, up their chains
            read = self._prefetch(companies, GROUP_TYPES)
            companies = {f.data["parent"] for facts in read for f in facts if f.data.get("parent")}
            if not companies:
                break

    def _prefetch(self, entity_ids: Iterable[str], types: tuple[str, ...]) -> list[list[Fact]]:
        if types in self._preloaded:
            return []
        wanted = [e for e in dict.fromkeys(entity_ids) if (e, types) not in self._facts]
        if len(wanted) < 2:
            return []  # one look-up: as cheap either way
        rare = types is GROUP_TYPES and len(wanted) >= RARE_FIRST
        read = []
        for entity_id, events in self.load_many(wanted, types, rare=rare).items():
            read.append(facts_of(events, self.known_at))
            self._facts[(entity_id, types)] = read[-1]
        while len(self._facts) > MEMO_ENTITIES:
            self._facts.popitem(last=False)
        return read

    def preload_groups(self, events: list[StoredEvent]) -> None:
        """Take every company-structure claim of the log at once (and what is said about them), as
        `LogTables.claims_of_types(GROUP_TYPES)` gives them: a rebuild asks about every company's group,
        and one read of a few percent of the log beats one query per company."""
        by_entity: dict[str, list[StoredEvent]] = {}
        claims: dict[str, list[str]] = {}  # claim id -> the entities it names
        for event in events:
            if event.type in GROUP_TYPES:
                named = entities_in(event.type, upcast(event.type, event.v, event.data))
                claims[event.id] = named
                for entity in named:
                    by_entity.setdefault(entity, []).append(event)
        for event in events:
            if event.type not in GROUP_TYPES:
                for entity in dict.fromkeys(e for ref in event.refs for e in claims.get(ref, ())):
                    by_entity.setdefault(entity, []).append(event)
        # Worked out now, and only the facts kept: the events (their sources above all) are three times
        # their size, and a rebuild asks about nearly every company anyway.
        self._preloaded[GROUP_TYPES] = {e: facts_of(its, self.known_at) for e, its in by_entity.items()}

    def facts(self, entity_id: str, types: tuple[str, ...] | None = None) -> list[Fact]:
        """The claims (of `types`, if given) indexed under the entity, current data and status, in
        world-time order."""
        preloaded = self._preloaded.get(types) if types is not None else None
        if preloaded is not None:
            return preloaded.get(entity_id) or []
        key = (entity_id, types if self.load_typed is not None else None)
        found = self._facts.get(key)
        if found is not None:
            self._facts.move_to_end(key)  # most recently used last: a busy company stays in memory
        else:
            seeded = self._seeded.pop(key, None)
            if seeded is not None:
                events = seeded
            elif key[1] is None:
                events = self.load(entity_id)
            else:
                events = self.load_typed(entity_id, key[1])
            found = self._facts[key] = facts_of(events, self.known_at)

            if len(self._facts) > MEMO_ENTITIES:  # bounded memory: forget the least recently used
                self._facts.popitem(last=False)
        return found


def _companies_in(event: StoredEvent) -> list[str]:
    if CATEGORIES[event.type] != "claim":
        return []
    return companies_in(event.type, upcast(event.type, event.v, event.data))


def no_context() -> Context:
    """A context that knows nothing beyond the entity itself (a fold of an isolated set of events)."""
    return Context(lambda _entity_id: [])
