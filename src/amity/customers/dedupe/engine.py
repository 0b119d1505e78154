"""Finding the duplicate pairs among many records without comparing every record with every other.

Blocking: every record gives several keys (its emails, phones, the name either way round by
formal name, the name's sound, the email's personal part, the address, the employer with the
surname); only records that share a key are compared. A block that is too large to compare
pair by pair (a common name, an office address, a shared mailbox) is walked in two orders
instead, each record compared with its next few neighbours (the sorted-neighbourhood method),
so the work grows with the number of records, not with its square.

Keys are handled one kind at a time and held as compact arrays of hashes, so a million records
need a few hundred megabytes; a pair found through several keys is scored once.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from amity.customers.dedupe.records import Organization, Person, Record
from amity.customers.dedupe.scoring import DEFAULT_THRESHOLD, REVIEW_THRESHOLD, score, score_organizations, score_people

LINK_FLOOR = 0.05  # two clusters are not joined when two of their records are this unlike (no chain from Bob to his brother)
CHECKED_CLUSTER = 12  # up to this combined size, every cross pair is checked against LINK_FLOOR before joining
BLOCK_LIMIT = 40  # a block up to this size is compared pair by pair (780 pairs at most)
# Name blocks (the name either way round, its sound) grow with the square of the records: a million people hold
# thousands of blocks of tens of namesakes. Past this size they are walked in order (by place, by employer) instead.
NAME_BLOCK_LIMIT = 10
NAME_KINDS = frozenset("nm")
WINDOW = 6  # in a larger block, each record is compared with this many neighbours in each order

Progress = Callable[[float, str], None]


@dataclass(frozen=True, slots=True)
class Pair:
    """Two records that may be one, with how sure the engine is and why."""

    left: Record
    right: Record
    score: float
    reasons: tuple[str, ...]


@dataclass
class Cluster:
    """Records that the accepted pairs join into one: the weakest of its joining scores and every reason seen."""

    records: list[Record]
    score: float
    reasons: list[str] = field(default_factory=list)


def _orders(record: Record) -> tuple[str, str]:
    """Two orders to walk a huge block in: by place then name, and by employer (or name) then name."""
    if isinstance(record, Person):
        return record.sort_key(), f"{record.employers[0] if record.employers else '~'}|{record.last}|{record.first}"
    return record.sort_key(), f"{record.domains[0] if record.domains else '~'}|{record.name}"


def _block_pairs(members: list[int], records: Sequence[Record], limit: int = BLOCK_LIMIT) -> Iterator[tuple[int, int]]:
    if len(members) <= limit:
        yield from itertools.combinations(members, 2)
        return
    for order in (0, 1):
        walked = sorted(members, key=lambda index: _orders(records[index])[order])
        for position, index in enumerate(walked):
            for other in walked[position + 1 : position + 1 + WINDOW]:
                yield index, other


def _keys_by_kind(records: Sequence[Record]) -> dict[str, tuple[array[int], array[int]]]:
    """For each kind of key (the letter before the colon), the keys' hashes and their records' positions."""
    kinds: dict[str, tuple[array[int], array[int]]] = {}
    for index, record in enumerate(records):
        for key in record.blocking_keys():
            hashes, positions = kinds.setdefault(key[0], (array("q"), array("l")))
            hashes.append(hash(key))
            positions.append(index)
    return kinds


def candidate_pairs(records: Sequence[Record], progress: Progress | None = None) -> Iterator[tuple[int, int]]:
    """Every pair of positions in `records` that shares a blocking key, each once (smaller position first)."""
    kinds = _keys_by_kind(records)
    seen: set[int] = set()
    size, total = len(records), len(kinds)
    for done, kind in enumerate(sorted(kinds)):
        hashes, positions = kinds.pop(kind)
        blocks: dict[int, int | list[int]] = {}
        for key_hash, index in zip(hashes, positions, strict=True):
            members = blocks.get(key_hash)
            if members is None:
                blocks[key_hash] = index
            elif isinstance(members, int):
                blocks[key_hash] = [members, index]
            else:
                members.append(index)
        del hashes, positions
        for members in blocks.values():
            if isinstance(members, int):
                continue
            for first, second in _block_pairs(members, records, NAME_BLOCK_LIMIT if kind in NAME_KINDS else BLOCK_LIMIT):
                if first == second:
                    continue
                low, high = (first, second) if first < second else (second, first)
                pair_id = low * size + high
                if pair_id not in seen:
                    seen.add(pair_id)
                    yield low, high
        if progress:
            progress((done + 1) / total, f"compared records sharing keys of kind {kind}")


def find_pairs(records: Sequence[Record], *, min_score: float = REVIEW_THRESHOLD, progress: Progress | None = None) -> list[Pair]:
    """The pairs among `records` (all of one type) that score at least `min_score`, best first."""
    if not records:
        return []
    compare = score_people if isinstance(records[0], Person) else score_organizations
    found: list[Pair] = []
    for first, second in candidate_pairs(records, progress):
        left, right = records[first], records[second]
        if left.id > right.id:  # a pair is stored smaller id first, whatever order the records were loaded in
            left, right = right, left
        value, reasons = compare(left, right)  # type: ignore[arg-type]
        if value >= min_score:
            found.append(Pair(left, right, value, tuple(reasons)))
    found.sort(key=lambda pair: (-pair.score, pair.left.id, pair.right.id))
    return found


def matches_for(record: Record, others: Iterable[Record], *, min_score: float = DEFAULT_THRESHOLD) -> list[Pair]:
    """The records among `others` that `record` (not yet saved, or saved) probably duplicates, best first."""
    pairs = []
    for other in others:
        if other.id == record.id and record.id:
            continue
        if isinstance(record, Person) and isinstance(other, Person):
            value, reasons = score_people(record, other)
        elif isinstance(record, Organization) and isinstance(other, Organization):
            value, reasons = score_organizations(record, other)
        else:
            continue
        if value >= min_score:
            pairs.append(Pair(record, other, value, tuple(reasons)))
    pairs.sort(key=lambda pair: (-pair.score, pair.right.id))
    return pairs


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[tuple[str, int], tuple[str, int]] = {}
        self.members: dict[tuple[str, int], list[Record]] = {}

    def find(self, item: tuple[str, int]) -> tuple[str, int]:
        parent = self.parent.setdefault(item, item)
        while parent != item:
            grandparent = self.parent[parent]
            self.parent[item] = grandparent
            item, parent = parent, grandparent
        return item

    def union(self, first: Record, second: Record) -> None:
        """Join the clusters of two records, unless they would hold two records that are plainly not one."""
        root_first, root_second = self.find((first.type, first.id)), self.find((second.type, second.id))
        if root_first == root_second:
            return
        members_first = self.members.setdefault(root_first, [first])
        members_second = self.members.setdefault(root_second, [second])
        if len(members_first) + len(members_second) <= CHECKED_CLUSTER and any(
            score(a, b)[0] < LINK_FLOOR for a in members_first for b in members_second
        ):
            return
        root, child = min(root_first, root_second), max(root_first, root_second)
        self.parent[child] = root
        self.members[root] = members_first + members_second
        del self.members[child]


def clusters(pairs: Iterable[Pair], *, threshold: float = DEFAULT_THRESHOLD) -> list[Cluster]:
    """Join the pairs scoring at least `threshold` into clusters (union–find), strongest pairs first; records by id."""
    union = _UnionFind()
    accepted = sorted((pair for pair in pairs if pair.score >= threshold), key=lambda pair: -pair.score)
    for pair in accepted:
        union.union(pair.left, pair.right)
    grouped: dict[tuple[str, int], Cluster] = {}
    for pair in accepted:
        root = union.find((pair.left.type, pair.left.id))
        if root != union.find((pair.right.type, pair.right.id)):
            continue
        cluster = grouped.setdefault(root, Cluster(records=sorted(union.members[root], key=lambda record: record.id), score=1.0))
        cluster.score = min(cluster.score, pair.score)
        cluster.reasons.extend(reason for reason in pair.reasons if reason not in cluster.reasons)
    result = list(grouped.values())
    result.sort(key=lambda cluster: (-cluster.score, cluster.records[0].id))
    return result
