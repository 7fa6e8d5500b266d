"""Documents in and out: the province's periodic report (.docx), Excel exports, the
plan task table's import, and agencies' calendar feeds. Built from ``plans``; no page
code here, so the management commands use the same builders as the web."""
