"""The officials' pages: dashboards, deadline lists and pages, report submission,
review, the province overview, plans, calendar links and the downloads they offer.
Views stay thin: reads through ``plans.selectors``, writes through ``plans.services``."""
