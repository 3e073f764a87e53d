"""The committee's dashboard: one read of everything the page and its Excel copy show.

:func:`dashboard_view` returns a :class:`Dashboard` in a fixed number of queries
whatever the number of organisations: the committee's targets and its Rollup
rows of the year and the one before (one query each), every subordinate's
Rollup row, plan copy and sheet (one query each), the
members of the subtree on two dates (placements and one GROUP BY each),
ratings, admissions and kinds (one GROUP BY each), and the committee's own
sheets (one query). The page and the workbook are both written from the
Dashboard's rows (:meth:`Dashboard.cards`, :meth:`Dashboard.target_cells`,
:attr:`ChildRow.cells`), so the export holds exactly the figures on the page:
as numeric cells rounded as the page rounds them, in number formats that show
them the same way.

Three modes:

* ``committee`` — targets given down from this organisation (or from above it
  into its subtree): figures are the subtree sums of the roll-ups (or the
  registry's, for a computed target); the targets the committee reports itself
  are read from its own sheet; the table lists the subordinates with their
  verdict counts on the targets given to them and their quarter's sheet;
* ``own`` — an organisation that only reports its own sheet (a grassroots
  organisation): its sheet's rows, counted on the chosen basis, and its chi bộ
  with membership and ratings;
* ``none`` — no targets for the year: membership and ratings only.

Comparisons with last year are either restated to today's scope (the stored
subtree sums, computed on today's tree) or as the tree stood on 31 December of
last year (the ``own`` figures of the organisations placed under this one on
that day); :attr:`Dashboard.scope_sentence` says which.

The package, by topic:

* :mod:`.labels` — the page's words and the fixed sets the reading uses;
* :mod:`.page` — what the page shows: cells, cards, rows and the Dashboard;
* :mod:`.reading` — the default period, :func:`dashboard_view` and own mode;
* :mod:`.committee` — committee mode: targets, plans at each level, roll-ups;
* :mod:`.children` — the table of direct subordinates;
* :mod:`.figures` — year-to-date figures from stored quarters or the registry;
* :mod:`.charts` — the trend series and what the charts draw;
* :mod:`.export` — the Excel copy;
* :mod:`.memo` — results kept in the cache under a digest of all their inputs
  (each subordinate's verdict counts; the view keeps the rendered rows the
  same way), so that an unchanged subordinate is not evaluated again and no
  write has to invalidate anything.
"""

from __future__ import annotations

from targets.dashboard.charts import TrendSeries
from targets.dashboard.export import dashboard_export, export_filename
from targets.dashboard.labels import (
    BASIS_TEXTS,
    COMPLETENESS_LABELS,
    DASH,
    NOT_STARTED,
    QUARTER_NAMES,
    SCOPE_SENTENCES,
    ScopeMode,
)
from targets.dashboard.page import Card, Cell, ChildRow, Dashboard, TargetRow
from targets.dashboard.reading import dashboard_view, default_period, default_quarter

__all__ = [
    "BASIS_TEXTS",
    "COMPLETENESS_LABELS",
    "DASH",
    "NOT_STARTED",
    "QUARTER_NAMES",
    "SCOPE_SENTENCES",
    "Card",
    "Cell",
    "ChildRow",
    "Dashboard",
    "ScopeMode",
    "TargetRow",
    "TrendSeries",
    "dashboard_export",
    "dashboard_view",
    "default_period",
    "default_quarter",
    "export_filename",
]
