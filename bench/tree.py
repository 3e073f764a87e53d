"""Bench: member counts per organisation of a whole bloc, as of a date.

    .venv/bin/python bench/tree.py               # throwaway SQLite file
    .venv/bin/python bench/tree.py --db postgres # BENCH_DATABASE_URL's server

Builds two trees in a fresh database with bulk_create, writing the same rows
services.organization_create / member_create write (organisations with their
materialised path and an open placement, members with a placement; no events),
plus some history so the as-of-date queries have work to do:

* bloc: 1 đảng bộ cấp trên + 120 TCCSĐ (100 đảng bộ cơ sở, 20 chi bộ cơ sở)
  + 10 đảng bộ bộ phận + 1.100 chi bộ trực thuộc, 14.000 đảng viên;
* the same at 10× (≈ 12.300 organisations, 140.000 đảng viên);
* 2 % of chi bộ dissolved and merged into a sibling (members moved there),
  1 % moved to another đảng bộ cơ sở, 2 % founded after the measured day;
* 5 % of members transferred (placement closed, a new one opened elsewhere),
  2 % left, a few % admitted after the measured day or still probationary.

Then times selectors.organization_tree_on(root=bloc, day=DAY) – the whole
subtree with counts rolled up per node – median of 5 runs after 1 warm-up.
Figures go to stdout (`name: value`), progress to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import random
import time
import uuid
from dataclasses import dataclass, field

from _common import (
    figure,
    log,
    median_seconds,
    query_count,
    random_name,
    seconds,
    throwaway_django,
)

PATH_STEP = 6  # organizations.models.PATH_STEP (Django is not set up at import time)
DAY = dt.date(2024, 6, 30)  # the date the counts are taken on
FOUNDED = dt.date(2000, 1, 1)  # most organisations exist since then
HISTORY_START = dt.date(2019, 1, 1)  # transfers, moves, dissolutions from here on
END = dt.date(2025, 10, 31)  # "today" of the generated data
SEED = 20240630
BATCH = 2000


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


@functools.cache
@dataclass
class Cell:
    """A chi bộ (or chi bộ cơ sở) members can sit in, with its life span."""

    id: int
    founded_on: dt.date
    grassroots: bool = False  # chi bộ cơ sở: never moved or dissolved here
    dissolved_on: dt.date | None = None
    merged_into: int | None = None


@dataclass
class TreeBuilder:
    """Accumulates rows with ids assigned here (paths need the id), then writes
    them with bulk_create. One builder per database: ids continue from MAX(id)."""

    rng: random.Random
    next_org_id: int
    next_member_id: int
    levels: dict = field(default_factory=dict)
    orgs: list = field(default_factory=list)
    org_placements: list = field(default_factory=list)
    members: list = field(default_factory=list)
    member_placements: list = field(default_factory=list)
    # org id -> (Organization, its open placement), for moves and dissolutions
    _by_id: dict = field(default_factory=dict)

    # --- organisations ---------------------------------------------------------

    def org(
        self,
        name: str,
        level_code: str,
        parent: tuple[int, str] | None,
        founded_on: dt.date = FOUNDED,
        short_name: str = "",
    ) -> tuple[int, str]:
        from organizations.models import Organization, OrganizationPlacement
        from organizations.services import default_kind_for, path_segment

        org_id = self.next_org_id
        self.next_org_id += 1
        parent_id, parent_path = parent if parent else (None, "")
        path = parent_path + path_segment(org_id)
        level = self.levels[level_code]
        self.orgs.append(
            Organization(
                id=org_id,
                public_id=uuid.uuid4(),
                name=name,
                short_name=short_name,
                level=level,
                kind=default_kind_for(level),
                parent_id=parent_id,
                founded_on=founded_on,
                path=path,
                depth=len(path) // PATH_STEP,
            )
        )
        self.org_placements.append(
            OrganizationPlacement(
                organization_id=org_id,
                parent_id=parent_id,
                path=path,
                depth=len(path) // PATH_STEP,
                valid_from=founded_on,
            )
        )
        self._by_id[org_id] = (self.orgs[-1], self.org_placements[-1])
        return org_id, path

    def move(self, org_id: int, new_parent: tuple[int, str], on: dt.date) -> None:
        """organization_move of a leaf: close its placement, open one elsewhere."""
        from organizations.models import OrganizationPlacement
        from organizations.services import path_segment

        org, old = self._by_id[org_id]
        old.valid_to = on
        path = new_parent[1] + path_segment(org_id)
        self.org_placements.append(
            OrganizationPlacement(
                organization_id=org_id,
                parent_id=new_parent[0],
                path=path,
                depth=len(path) // PATH_STEP,
                valid_from=on,
            )
        )
        org.parent_id, org.path, org.depth = new_parent[0], path, len(path) // PATH_STEP
        self._by_id[org_id] = (org, self.org_placements[-1])

    def dissolve(self, org_id: int, on: dt.date, merged_into: int) -> None:
        org, placement = self._by_id[org_id]
        placement.valid_to = on
        org.dissolved_on, org.merged_into_id = on, merged_into

    # --- members ---------------------------------------------------------------

    def member(self, cells: list[Cell], stable: list[Cell]) -> None:
        from organizations.models import Member, MemberPlacement

        rng = self.rng
        female = rng.random() < 0.35
        full_name, search_name, sort_key = random_name(rng, female=female)
        if rng.random() < 0.12:  # recent admissions: some after DAY, some probationary
            admitted = _day_between(
                rng, dt.date(2023, 1, 1), END - dt.timedelta(days=30)
            )
        else:
            admitted = _day_between(rng, dt.date(1975, 1, 1), dt.date(2022, 12, 31))
        full_on = admitted + dt.timedelta(days=365)
        full_on = full_on if full_on <= END else None
        cell = rng.choice(cells)
        joined = max(admitted, cell.founded_on)
        if cell.dissolved_on is not None and joined >= cell.dissolved_on:
            cell = rng.choice(stable)
            joined = max(admitted, cell.founded_on)
        member_id = self.next_member_id
        self.next_member_id += 1
        # The member's placements as (cell id, from, to).
        spans: list[list] = [[cell.id, joined, None]]
        if cell.dissolved_on is not None:  # the merger moved everyone still there
            spans[-1][2] = cell.dissolved_on
            spans.append([cell.merged_into, cell.dissolved_on, None])
        elif rng.random() < 0.05 and joined < END - dt.timedelta(days=2):
            moved_on = _day_between(
                rng, max(joined + dt.timedelta(days=1), HISTORY_START), END
            )
            target = rng.choice(stable)
            if target.id != cell.id:
                spans[-1][2] = moved_on
                spans.append([target.id, moved_on, None])
        left_on = None
        if rng.random() < 0.02 and spans[-1][1] < END - dt.timedelta(days=2):
            left_on = _day_between(
                rng, max(spans[-1][1] + dt.timedelta(days=1), HISTORY_START), END
            )
            spans[-1][2] = left_on
        self.members.append(
            Member(
                id=member_id,
                public_id=uuid.uuid4(),
                full_name=full_name,
                search_name=search_name,
                sort_key=sort_key,
                sex="F" if female else "M",
                date_of_birth=admitted
                - dt.timedelta(days=rng.randrange(18 * 365, 40 * 365)),
                admitted_on=admitted,
                full_member_on=full_on,
                organization_id=spans[-1][0],
                left_on=left_on,
            )
        )
        for cell_id, start, stop in spans:
            self.member_placements.append(
                MemberPlacement(
                    member_id=member_id,
                    organization_id=cell_id,
                    valid_from=start,
                    valid_to=stop,
                )
            )

    # --- writing ---------------------------------------------------------------

    def flush(self) -> None:
        from organizations.models import (
            Member,
            MemberPlacement,
            Organization,
            OrganizationPlacement,
        )

        for model, rows in (
            (Organization, self.orgs),
            (OrganizationPlacement, self.org_placements),
            (Member, self.members),
            (MemberPlacement, self.member_placements),
        ):
            start = time.perf_counter()
            model.objects.bulk_create(rows, batch_size=BATCH)
            took = time.perf_counter() - start
            log(f"  {len(rows):>7} {model.__name__} in {took:.1f}s")
            rows.clear()
        self._by_id.clear()


def build_bloc(builder: TreeBuilder, *, scale: int, label: str) -> int:
    """Build one bloc at `scale` and return its id.

    Scale 1: 120 TCCSĐ, 1.100 chi bộ trực thuộc, 14.000 members."""
    rng = builder.rng
    top = builder.org(f"Đảng bộ Khối {label}", "upper", None, short_name="ĐUK")
    committees: list[tuple[int, str]] = []
    cells: list[Cell] = []
    for g in range(100 * scale):
        committee = builder.org(
            f"Đảng bộ cơ sở {label}-{g + 1}",
            "grassroots_committee",
            top,
            short_name="ĐU",
        )
        committees.append(committee)
        holder = committee
        for c in range(11):
            if g % 10 == 0 and c == 8:  # every 10th: an đảng bộ bộ phận with 3 chi bộ
                holder = builder.org(
                    f"Đảng bộ bộ phận {label}-{g + 1}", "sub_committee", committee
                )
            late = rng.random() < 0.02
            founded = (
                _day_between(rng, DAY, END - dt.timedelta(days=60)) if late else FOUNDED
            )
            cell_id, _ = builder.org(
                f"Chi bộ {label}-{g + 1}-{c + 1}", "cell", holder, founded
            )
            cells.append(Cell(cell_id, founded))
    for g in range(20 * scale):
        cell_id, _ = builder.org(
            f"Chi bộ cơ sở {label}-{g + 1}", "grassroots_cell", top
        )
        grassroots_cell = Cell(cell_id, FOUNDED, grassroots=True)
        cells.extend([grassroots_cell] * 2)  # larger: twice the chance of a member
    # Tree history among the chi bộ trực thuộc that were there from the start.
    plain = [c for c in cells if c.founded_on == FOUNDED and not c.grassroots]
    rng.shuffle(plain)
    n_dissolved, n_moved = len(plain) // 50, len(plain) // 100
    dissolved, moved = plain[:n_dissolved], plain[n_dissolved : n_dissolved + n_moved]
    # Where members can go at any date since 2000: not dissolved, not founded late.
    gone = {c.id for c in dissolved}
    stable = [c for c in cells if c.founded_on == FOUNDED and c.id not in gone]
    for cell in dissolved:
        cell.dissolved_on = _day_between(rng, HISTORY_START, END)
        cell.merged_into = rng.choice(stable).id
        builder.dissolve(cell.id, cell.dissolved_on, cell.merged_into)
    for cell in moved:
        builder.move(
            cell.id, rng.choice(committees), _day_between(rng, HISTORY_START, END)
        )
    for _ in range(14_000 * scale):
        builder.member(cells, stable)
    builder.flush()
    return top[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with throwaway_django(args.db) as vendor:
        from django.db import connection, transaction
        from django.db.models import Max

        from organizations import models, selectors
        from organizations.models import Member, Organization, OrganizationLevel

        assert models.PATH_STEP == PATH_STEP

        if vendor == "sqlite":
            # Build speed only; the timed reads do not write.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA journal_mode = MEMORY")
        builder = TreeBuilder(
            rng=random.Random(SEED),
            next_org_id=(Organization.objects.aggregate(m=Max("id"))["m"] or 0) + 1,
            next_member_id=(Member.objects.aggregate(m=Max("id"))["m"] or 0) + 1,
            levels={lvl.code: lvl for lvl in OrganizationLevel.objects.all()},
        )
        blocs = {}
        for scale, key in ((1, "bloc"), (10, "10x")):
            start = time.perf_counter()
            log(f"building {key} tree (scale {scale})")
            with transaction.atomic():
                blocs[key] = build_bloc(builder, scale=scale, label=key.upper())
            log(f"built {key} in {time.perf_counter() - start:.1f}s")
        if vendor == "postgresql":
            with connection.cursor() as cursor:  # autovacuum would have done it by now
                cursor.execute("ANALYZE")
            from django.core.management.color import no_style

            with connection.cursor() as cursor:  # ids were assigned here
                for sql in connection.ops.sequence_reset_sql(
                    no_style(), [Organization, Member]
                ):
                    cursor.execute(sql)

        log(f"database: {vendor}, counts as of {DAY}")
        for key, root_id in blocs.items():
            root = Organization.objects.get(id=root_id)
            node = selectors.organization_tree_on(root=root, day=DAY)
            orgs = sum(1 for _ in _walk(node))
            log(f"timing {key}: {orgs} organisations on {DAY}, counts {node.counts}")
            median, times = median_seconds(
                lambda root=root: selectors.organization_tree_on(root=root, day=DAY),
                runs=args.runs,
            )
            log(f"  runs: {', '.join(f'{t:.3f}' for t in times)}")
            figure(f"subtree_counts_{key}_s", seconds(median))
            figure(
                f"subtree_counts_{key}_queries",
                query_count(
                    lambda root=root: selectors.organization_tree_on(root=root, day=DAY)
                ),
            )
            figure(f"{key}_orgs", orgs)
            figure(f"{key}_members", node.counts.total)
            figure(f"{key}_cells", node.counts.cells)
            figure(f"{key}_grassroots", node.counts.grassroots)


def _walk(node):  # noqa: ANN001, ANN202
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


if __name__ == "__main__":
    main()
