"""Roll-ups: a committee's targets summed over its subtree, precomputed.

Each organisation that reports a copy of a committee's target contributes its
quarter figures under the committee's original (``origin``: a target handed
down twice still reaches the top; a copy handed on counts through its
subordinates only); a Rollup row keeps, per organisation and year,
its own figures and its subtree's sums (numerators and denominators added, never
percentages averaged). A full rebuild is one GROUP-free read of the results and
a walk up the materialised paths; an approval updates only the organisation and
its ancestors by the difference it makes (idempotent: a second run finds no
difference).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from organizations.models import PATH_STEP, Organization
from organizations.selectors import ancestor_paths
from targets import calculations as calc
from targets.models import Result, Rollup, RollupBasis, RollupState, SheetStatus, Target

Quarters = list  # four entries of [value, numerator, denominator] (str | None) or None
Figures = dict[str, Quarters]  # committee target id (as str) → quarters

BASIS_STATUSES = {
    RollupBasis.APPROVED: {SheetStatus.APPROVED},
    RollupBasis.SUBMITTED: {SheetStatus.APPROVED, SheetStatus.SUBMITTED},
}


def _dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _s(value: Decimal) -> str:
    """One spelling per number ("100", not "1E+2"), so stored sums compare equal."""
    return format(value.normalize(), "f")


def _add_triplet(a: list | None, b: list | None, sign: int = 1) -> list | None:
    """Add (or take away) one contribution [value, numerator, denominator, count].

    The count is how many organisations contributed; at zero the entry is None
    again, so "nothing reported" never turns into a reported 0.
    """
    if b is None:
        return a
    current = a or [None, None, None, 0]
    out: list = []
    for x, y in zip(current[:3], b[:3], strict=True):
        if y is None:
            out.append(x)
        else:
            out.append(_s((_dec(x) or Decimal(0)) + sign * _dec(y)))
    count = current[3] + sign * (b[3] if len(b) > 3 else 1)
    return None if count <= 0 else [*out, count]


def _add(into: Figures, other: Figures, sign: int = 1) -> None:
    for key, quarters in other.items():
        mine = into.setdefault(key, [None, None, None, None])
        for q in range(4):
            mine[q] = _add_triplet(mine[q], quarters[q], sign)
        if all(q is None for q in mine):
            del into[key]


def _add_counts(into: dict, other: dict, sign: int = 1) -> None:
    for q, n in other.items():
        into[q] = into.get(q, 0) + sign * n
        if into[q] <= 0:
            del into[q]


def _own_figures(
    *, organization_ids: Iterable[int] | None, year: int, path_prefix: str | None = None
) -> dict[tuple[int, str], tuple[Figures, dict]]:
    """(organisation id, basis) → its own figures and reporting counts, one query."""
    # Results of copies, under the committee's original target; a copy its
    # committee handed on counts through its subordinates, not what was typed.
    results = Result.objects.filter(
        ~Exists(Target.objects.filter(derived_from=OuterRef("target_id"))),
        sheet__year=year,
        target__origin__isnull=False,
        sheet__status__in=[SheetStatus.APPROVED, SheetStatus.SUBMITTED],
    )
    if path_prefix is not None:
        results = results.filter(sheet__organization__path__startswith=path_prefix)
    if organization_ids is not None:
        results = results.filter(sheet__organization_id__in=list(organization_ids))
    # The bases each status counts in (an approved sheet: both), and each
    # target id's key spelled once rather than once per result.
    bases_of = {
        status: [
            basis for basis, statuses in BASIS_STATUSES.items() if status in statuses
        ]
        for status in (SheetStatus.APPROVED, SheetStatus.SUBMITTED)
    }
    names: dict[int, str] = {}
    out: dict[tuple[int, str], tuple[Figures, dict]] = {}
    reported: dict[tuple[int, str], set[int]] = defaultdict(set)
    for org_id, key, quarter, status, value, num, den in results.values_list(
        "sheet__organization_id",
        "target__origin_id",
        "sheet__quarter",
        "sheet__status",
        "value",
        "numerator",
        "denominator",
    ):
        # Decimals, spelled out once when stored; one list shared by both bases.
        triplet = [value, num, den, 1]
        name = names.get(key)
        if name is None:
            name = names[key] = str(key)
        for basis in bases_of[status]:
            entry = out.get((org_id, basis))
            if entry is None:
                entry = out[(org_id, basis)] = ({}, {})
            quarters = entry[0].get(name)
            if quarters is None:
                quarters = entry[0][name] = [None, None, None, None]
            quarters[quarter - 1] = triplet
            reported[(org_id, basis)].add(quarter)
    for (org_id, basis), seen in reported.items():
        out[(org_id, basis)][1].update({str(q): 1 for q in sorted(seen)})
    return out


def _accumulate(into: dict, other: dict) -> None:
    """Add Decimal figures into a running sum (the rebuild's hot loop: no strings)."""
    for key, quarters in other.items():
        mine = into.get(key)
        if mine is None:
            into[key] = [None if q is None else list(q) for q in quarters]
            continue
        for i, quad in enumerate(quarters):
            if quad is None:
                continue
            current = mine[i]
            if current is None:
                mine[i] = list(quad)
                continue
            for j in range(3):
                if quad[j] is not None:
                    current[j] = quad[j] if current[j] is None else current[j] + quad[j]
            current[3] += quad[3]


def _spelled(
    figures: dict, done: dict[int, tuple[list, list]] | None = None
) -> Figures:
    """Decimal quads → the stored form (strings, one spelling per number).

    `done` keeps each quad's spelling by identity, with the quad itself so that
    its id is not reused: an approved sheet's quads are shared by both bases, and
    a reporting leaf's subtree is its own figures, so each is spelled once.
    """
    if done is None:
        done = {}
    out: Figures = {}
    for key, quarters in figures.items():
        row: Quarters = []
        for quad in quarters:
            if quad is None:
                row.append(None)
                continue
            found = done.get(id(quad))
            if found is None:
                spelled = [None if v is None else _s(Decimal(v)) for v in quad[:3]]
                found = done[id(quad)] = (quad, [*spelled, quad[3]])
            row.append(found[1])
        out[str(key)] = row
    return out


@transaction.atomic
def rollup_rebuild(*, root: Organization, year: int) -> int:
    """Recompute every roll-up row of the root's subtree for `year` (today's tree).

    Each organisation's own figures are added into its strict ancestors'
    running sums (Decimals); an organisation's subtree is its own figures plus
    that sum, so a reporting leaf costs no additions at all.
    """
    _lock_tree(root)
    organizations = {
        o.id: o.path
        for o in Organization.objects.filter(path__startswith=root.path).only(
            "id", "path"
        )
    }
    path_to_id = {path: org_id for org_id, path in organizations.items()}
    own = _own_figures(organization_ids=None, year=year, path_prefix=root.path)
    below: dict[tuple[int, str], dict] = defaultdict(dict)
    below_counts: dict[tuple[int, str], dict] = defaultdict(dict)
    for (org_id, basis), (figures, counts) in own.items():
        path = organizations.get(org_id)
        if path is None:
            continue
        for ancestor_path in ancestor_paths(path)[:-1]:
            ancestor = path_to_id.get(ancestor_path)
            if ancestor is None:
                continue  # above the root
            _accumulate(below[(ancestor, basis)], figures)
            _add_counts(below_counts[(ancestor, basis)], counts)
    keys = set(own) | set(below) | {(root.id, basis) for basis in BASIS_STATUSES}
    rows = []
    spelled: dict[int, tuple[list, list]] = {}
    for org_id, basis in keys:
        if org_id not in organizations:
            continue
        own_figures, own_counts = own.get((org_id, basis), ({}, {}))
        if (org_id, basis) in below:
            subtree: dict = {}
            _accumulate(subtree, below[(org_id, basis)])
            _accumulate(subtree, own_figures)
        else:
            subtree = own_figures  # a reporting leaf: nothing to add
        reporting = dict(below_counts.get((org_id, basis), {}))
        _add_counts(reporting, own_counts)
        rows.append(
            Rollup(
                organization_id=org_id,
                year=year,
                basis=basis,
                own=_spelled(own_figures, spelled),
                own_reporting=own_counts,
                subtree=_spelled(subtree, spelled),
                reporting=reporting,
                path=organizations[org_id],
            )
        )
    Rollup.objects.filter(organization__path__startswith=root.path, year=year).delete()
    Rollup.objects.bulk_create(rows, batch_size=1000)
    now = timezone.now()
    RollupState.objects.update_or_create(
        organization=root,
        year=year,
        defaults={"last_full_at": now, "last_update_at": now, "pending": 0},
    )
    return len(rows)


@transaction.atomic
def rollup_update(*, organization: Organization, year: int) -> bool:
    """Bring the organisation's own figures and its ancestors' sums up to date.

    Applies the difference between what is stored and what the results say now,
    so running it twice changes nothing the second time. Returns whether
    anything changed. The queries are a fixed few plus one save per ancestor
    whose row changed, whatever the size of the tree; only the organisation's
    chain is read or written.

    If the organisation or a committee above it moved since the rows were
    summed (their stored path is not today's), the difference has no right
    place to go: the tree is rebuilt instead (the move also queued that).
    """
    _lock_tree(organization)
    paths = ancestor_paths(organization.path)
    chain = list(Organization.objects.filter(path__in=paths).only("id", "path"))
    existing = {
        (r.organization_id, r.basis): r
        for r in Rollup.objects.select_for_update().filter(
            organization__in=chain, year=year
        )
    }
    path_of = {o.id: o.path for o in chain}
    if any(r.path != path_of[r.organization_id] for r in existing.values()):
        rollup_rebuild(root=root_of(organization), year=year)
        return True
    fresh = {
        key: (_spelled(figures), counts)
        for key, (figures, counts) in _own_figures(
            organization_ids=[organization.id], year=year
        ).items()
    }
    changed: dict[int, Rollup] = {}
    for basis in BASIS_STATUSES:
        figures, counts = fresh.get((organization.id, basis), ({}, {}))
        mine = existing.get((organization.id, basis))
        old_figures = mine.own if mine else {}
        old_counts = mine.own_reporting if mine else {}
        if old_figures == figures and old_counts == counts:
            continue
        for ancestor in chain:
            target = existing.get((ancestor.id, basis))
            if target is None:
                target = Rollup(
                    organization=ancestor,
                    year=year,
                    basis=basis,
                    own={},
                    subtree={},
                    reporting={},
                    path=ancestor.path,
                )
                existing[(ancestor.id, basis)] = target
            _add(target.subtree, old_figures, sign=-1)
            _add(target.subtree, figures)
            _add_counts(target.reporting, old_counts, sign=-1)
            _add_counts(target.reporting, counts)
            changed[id(target)] = target
        existing[(organization.id, basis)].own = figures
        existing[(organization.id, basis)].own_reporting = counts
    for rollup in changed.values():
        rollup.save()
    return bool(changed)


def _lock_tree(organization: Organization) -> None:
    """Let one transaction at a time change the roll-ups of the organisation's
    tree: two updates would both create a committee row that does not exist
    yet (one fails on the unique key and its figures are lost), and a rebuild
    would overwrite an update committed while it computed.

    The lock is the root organisation's row, FOR NO KEY UPDATE: rows that
    refer to it can still be inserted, and a submission (which counts the
    pending update in RollupState) never waits for a roll-up.
    """
    root = root_of(organization)
    Organization.objects.select_for_update(no_key=True).get(pk=root.pk)


def rollup_mark_pending(*, organization: Organization, year: int) -> None:
    root = root_of(organization)
    state, _ = RollupState.objects.get_or_create(organization=root, year=year)
    RollupState.objects.filter(pk=state.pk).update(pending=F("pending") + 1)


def rollup_years(*, root: Organization) -> set[int]:
    """The years the tree has roll-ups for, or figures that should have them
    (a sheet sent or approved whose update was lost): three small queries."""
    years = set(
        RollupState.objects.filter(organization=root).values_list("year", flat=True)
    )
    years |= set(
        Rollup.objects.filter(organization=root)
        .values_list("year", flat=True)
        .distinct()
    )
    years |= set(
        Result.objects.filter(
            sheet__organization__path__startswith=root.path,
            sheet__status__in=[SheetStatus.APPROVED, SheetStatus.SUBMITTED],
            target__origin__isnull=False,
        )
        .values_list("sheet__year", flat=True)
        .distinct()
    )
    return years


@transaction.atomic
def rollup_schedule_rebuild(
    *, roots: Iterable[Organization], years: Iterable[int] | None = None
) -> None:
    """Queue a full rebuild of each tree once the transaction commits, for
    `years` or every year it has roll-ups; each shows as pending until done.

    Called when organisations move between committees (a move, a handover, a
    merger): the stored sums still follow the old tree.
    """
    from partyreports.queue import send_on_commit
    from targets import tasks

    for root in {r.id: r for r in roots}.values():
        for year in sorted(rollup_years(root=root) if years is None else set(years)):
            rollup_mark_pending(organization=root, year=year)
            root_id = root.id
            send_on_commit(
                lambda root_id=root_id, year=year: tasks.rollup_rebuild.delay(
                    root_id, year
                ),
                what=f"roll-up rebuild of {root_id}/{year}",
            )


def rollup_tree_changed(*, paths: Iterable[str]) -> None:
    """Organisations at `paths` (before and after an act) changed place: rebuild
    the trees they were and are in."""
    roots = Organization.objects.filter(path__in={p[:PATH_STEP] for p in paths if p})
    rollup_schedule_rebuild(roots=list(roots))


def rollup_mark_done(*, organization: Organization, year: int) -> None:
    root = root_of(organization)
    RollupState.objects.filter(organization=root, year=year, pending__gt=0).update(
        pending=F("pending") - 1, last_update_at=timezone.now()
    )


def root_of(organization: Organization) -> Organization:
    return Organization.objects.get(path=organization.path[:PATH_STEP])


# --- reading -----------------------------------------------------------------------


def quarter_figures(quarters: Quarters | None) -> list[calc.Figures | None]:
    if quarters is None:
        return [None, None, None, None]
    # Numbers are stored as strings (_s). Spelled out rather than looped: a
    # dashboard decodes 120 × 30 of these.
    return [
        None
        if quad is None
        else calc.Figures(
            value=None if quad[0] is None else Decimal(quad[0]),
            numerator=None if quad[1] is None else Decimal(quad[1]),
            denominator=None if quad[2] is None else Decimal(quad[2]),
        )
        for quad in quarters
    ]


def figures_of(
    rollup: Rollup | None, target: Target | int | str, *, subtree: bool = True
) -> list[calc.Figures | None]:
    """A target's four quarters in a roll-up: a Target is read under its
    original's key (a copy's figures are filed there), an id as given."""
    if rollup is None:
        return [None] * 4
    key = target.rollup_key if isinstance(target, Target) else str(target)
    source = rollup.subtree if subtree else rollup.own
    return quarter_figures(source.get(key))
