"""The catalog's tests share the sales fixtures: accounts, products, the default pipeline."""

from tests.sales.conftest import account, chair, contact, deal, desk, lost_reason, manager, pipeline, rep_api  # noqa: F401
