"""The plan of ``test_report`` (reported on for 2020 as of 15/07/2020), shared by the
periodic report's tests."""

from documents.tests.test_report import coordinator_agency, plan  # noqa: F401
