"""Agencies through time: who succeeded an agency, which agencies a collective phrase
stands for on a given day, and an agency recognised by an old name (for imports,
filters and search), offered with its successors."""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import F, Q

from plans.collation import VietnameseOrder, sorted_vietnamese
from plans.models import Agency, AgencyGroup, Reorganisation, ReorganisationLink, Task

# How far successions are followed (A → B → C): deep enough for any real chain, and a
# guard against a cycle entered by mistake.
MAX_SUCCESSION_DEPTH = 5


def _standing_links():
    """Links of reorganisations in force: applied, not reversed, not reversals, and not a
    function moved (there the old agency carries on)."""
    return ReorganisationLink.objects.filter(reorganisation__reversed_by__isnull=True).exclude(
        reorganisation__kind__in=[Reorganisation.Kind.REVERSAL, Reorganisation.Kind.FUNCTION_MOVED]
    )


@dataclass
class Succession:
    """Who carries an ended agency's work today: agencies, or a group (a dissolution)."""

    agencies: list[Agency] = field(default_factory=list)
    groups: list[AgencyGroup] = field(default_factory=list)

    def __bool__(self):
        return bool(self.agencies or self.groups)


def agency_successors(*, agency: Agency) -> Succession:
    """The agencies (and groups) that carry ``agency``'s work today, following chains of
    reorganisations to agencies that still exist."""
    result = Succession()
    frontier, seen = [agency.pk], {agency.pk}
    for _depth in range(MAX_SUCCESSION_DEPTH):
        if not frontier:
            break
        links = (
            _standing_links()
            .filter(predecessor_id__in=frontier)
            .select_related("successor", "reorganisation__successor_group")
        )
        frontier = []
        for link in links.order_by(VietnameseOrder("successor__short_name")):
            group = link.reorganisation.successor_group
            if group is not None and group not in result.groups:
                result.groups.append(group)
            successor = link.successor
            if successor is None or successor.pk in seen:
                continue
            seen.add(successor.pk)
            if successor.ended_on is not None:
                frontier.append(successor.pk)
            else:
                result.agencies.append(successor)
    return result


def agency_group_members_on(*, group: AgencyGroup, day: datetime.date) -> list[Agency]:
    """The agencies a collective phrase stands for on ``day``: its members that exist
    that day, and for members ended by then, their successors (for the district level
    after 01/07/2025: the group the province chose, e.g. UBND các xã, phường)."""
    members, seen = [], set()

    def add(agency):
        if agency.pk not in seen:
            seen.add(agency.pk)
            members.append(agency)

    for member in group.members.order_by(VietnameseOrder("short_name")):
        if member.ended_on is None or day < member.ended_on:
            add(member)
            continue
        succession = agency_successors(agency=member)
        for successor in succession.agencies:
            add(successor)
        for successor_group in succession.groups:
            if successor_group.pk != group.pk:
                for agency in successor_group.members.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day)):
                    add(agency)
    return members


# Dashes officials type for the same name ("Đài Phát thanh - Truyền hình", "… – …").
_DASHES = re.compile(r"\s*[-‐‑‒–—―−]\s*")
# Office titles written before an agency's name in plans ("Giám đốc Sở Tư pháp",
# "Thủ trưởng các sở, ban, ngành"): the agency is meant, so they are left out.
OFFICE_TITLES = (
    "phó giám đốc",
    "giám đốc",
    "thủ trưởng",
    "phó chủ tịch",
    "chủ tịch",
    "trưởng ban",
    "chánh văn phòng",
    "chỉ huy trưởng",
    "chánh thanh tra",
)
_TITLE_RE = re.compile(rf"^(?:{'|'.join(OFFICE_TITLES)})\s+(?=\S)")


def normalise_name(text: str) -> str:
    """An agency's name as compared: case, spacing and Unicode form folded, every kind
    of dash read as one, and a leading office title left out, so "giám đốc sở thông tin
    và truyền thông" and "Đài PT – TH tỉnh" match "Sở Thông tin và Truyền thông" and
    "Đài PT-TH tỉnh"."""
    text = " ".join(unicodedata.normalize("NFC", text or "").casefold().split())
    text = _DASHES.sub("-", text).strip(" .;:,")
    return _TITLE_RE.sub("", text)


@dataclass
class AgencyMatch:
    """An agency found by a name as written, and, if it has ended, who carries its work
    today."""

    agency: Agency
    successors: Succession

    @property
    def has_ended(self) -> bool:
        return self.agency.ended_on is not None

    @property
    def message(self) -> str:
        """What to tell whoever typed the old name, in Vietnamese."""
        if not self.has_ended:
            return ""
        names = [agency.name for agency in self.successors.agencies] + [
            g.name for g in self.successors.groups
        ]
        day = self.agency.ended_on.strftime("%d/%m/%Y")
        if names:
            return f"{self.agency.name} đã ngừng hoạt động từ {day}; nay là: {'; '.join(names)}."
        return f"{self.agency.name} đã ngừng hoạt động từ {day}."


def agency_match(*, text: str) -> AgencyMatch | None:
    """The agency whose full name, short name or code is ``text`` (any case or spacing),
    current or ended, with its successors when it has ended; None when none matches."""
    wanted = normalise_name(text)
    if not wanted:
        return None
    # A few hundred agencies at most: compared in Python, where case folding is exact
    # for Vietnamese on every database.
    candidates = Agency.objects.order_by(F("ended_on").asc(nulls_first=True), "pk")
    for agency in candidates:
        if wanted in (
            normalise_name(agency.name),
            normalise_name(agency.short_name),
            normalise_name(agency.code),
        ):
            successors = agency_successors(agency=agency) if agency.ended_on else Succession()
            return AgencyMatch(agency=agency, successors=successors)
    return None


def cooperating_group_names(*, task_ids) -> dict[int, list[str]]:
    """The collective phrases cooperating on each task (``task_ids``: ids or a subquery),
    as written and in Vietnamese order, by task id; one query."""
    links = Task.cooperating_groups.through.objects.filter(task_id__in=task_ids).values_list(
        "task_id", "agencygroup__name"
    )
    names: dict[int, list[str]] = {}
    for task_id, name in links:
        names.setdefault(task_id, []).append(name)
    return {task_id: sorted_vietnamese(group_names) for task_id, group_names in names.items()}
