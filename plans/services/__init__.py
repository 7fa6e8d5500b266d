"""Writes: each service validates with ``full_clean()`` and runs in one transaction.

By subject (docs/architecture.md):
- ``deadlines``: deadlines generated from a task's schedule; tasks created with theirs;
- ``reports``: progress reports and contributions with their evidence, and their review;
- ``loading``: a plan loaded from its sources (``plans.sources``);
- ``status_tally``: the province overview's counts, kept up to date as the data changes;
- ``reorganisations``: agencies merged, split, renamed or dissolved, and such an event reversed.
"""

from plans.services.deadlines import (
    DeadlineSyncResult,
    deadline_ends_refresh,
    deadline_horizon_end,
    deadline_sync_all,
    deadline_sync_for_plan,
    deadline_sync_for_task,
    deadline_sync_preview,
    deadline_waive,
    deadline_waiver_cancel,
    task_create,
)
from plans.services.loading import LoadResult, plan_load
from plans.services.reorganisations import reorganisation_apply, reorganisation_reverse
from plans.services.reports import (
    contribution_add,
    deadline_completion_backfill,
    deadline_completion_record,
    report_accept,
    report_return,
    report_submit,
    report_withdraw,
)
from plans.services.status_tally import status_tally_refresh

__all__ = [
    "DeadlineSyncResult",
    "LoadResult",
    "contribution_add",
    "deadline_ends_refresh",
    "deadline_horizon_end",
    "deadline_sync_all",
    "deadline_sync_for_plan",
    "deadline_sync_for_task",
    "deadline_sync_preview",
    "deadline_waive",
    "deadline_waiver_cancel",
    "plan_load",
    "reorganisation_apply",
    "reorganisation_reverse",
    "deadline_completion_backfill",
    "deadline_completion_record",
    "report_accept",
    "report_return",
    "report_submit",
    "report_withdraw",
    "status_tally_refresh",
    "task_create",
]
