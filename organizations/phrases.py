"""Sentences about membership and ratings, written the way the seeds write them.

The organisation page shows them today; documents will insert the same
sentences as data blocks, so there is one wording to keep right.
"""

from __future__ import annotations

from organizations.models import Grade
from organizations.selectors import MemberCounts, RatingCounts
from partyreports.formatting import format_number, format_percent, pad2


def membership_sentence(counts: MemberCounts) -> str:
    """ "hiện có 10 chi bộ, với 157 đảng viên, trong đó: chính thức 154, dự bị 03"."""
    return (
        f"hiện có {pad2(counts.cells)} chi bộ, với {format_number(counts.total)} "
        f"đảng viên, trong đó: chính thức {format_number(counts.full)}, dự bị "
        f"{pad2(counts.probationary)}"
    )


def ratings_sentence(ratings: RatingCounts) -> str:
    """ "02 chi bộ HTXSNV, 07 chi bộ HTTNV, 01 chi bộ KHTNV; 27 đảng viên (17,53%)
    HTXSNV, 124 đảng viên (80,52%) HTTNV, …", preceded on a committee above the
    grassroots by its TCCSĐ ("12 TCCSĐ HTXSNV, …; ") — grades with no one are
    left out."""
    grassroots = [
        f"{pad2(n)} TCCSĐ {grade}"
        for grade in Grade.values
        if (n := ratings.grassroots.get(grade, 0))
    ]
    cells = [
        f"{pad2(n)} chi bộ {grade}"
        for grade in Grade.values
        if (n := ratings.organizations.get(grade, 0))
    ]
    members = []
    for grade in Grade.values:
        n = ratings.members.get(grade, 0)
        if not n:
            continue
        share = ratings.member_share(grade)
        share_text = f" ({format_percent(share, 2)})" if share is not None else ""
        members.append(f"{pad2(n)} đảng viên{share_text} {grade}")
    parts = [", ".join(grassroots), ", ".join(cells), ", ".join(members)]
    return "; ".join(part for part in parts if part)
