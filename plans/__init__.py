"""The domain: agencies, plans, content areas, tasks, deadlines, progress reports;
schedules, report periods, working days, status and permissions; reads in
``selectors/``, writes in ``services/``; the admin; the plans the portal ships
(``sources/``). It imports no other app of the project (docs/architecture.md, Apps)."""
