"""Must show: schemathesis, generating requests from the hub's own OpenAPI description, finds no
server error in the JSON API (the accountant's routes and all the others under /api).

The hub's real app on a store that holds the hand-computed journals, called in-process (ASGI)
with an API token of a user who holds every role. The live event stream is left out: it is
an endless response by design, not a request with an answer.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from hub import access
from hub.config import HubConfig, StoreSettings
from hub.store import open_store
from hub.web.app import create_app
from tests.support.accountant_days import store_days
from tests.support.web import add_user

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hub_api(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('hub') / 'hub.sqlite'}"
    store_days(url)
    add_user(url, "alle", "admin", "operator", "accountant")
    with open_store(url) as store:
        token = access.new_api_token(store.users, "alle", "schemathesis", datetime.now(UTC))
    app = create_app(HubConfig(store=StoreSettings(url=url)), live_events=False)
    return app, {"Authorization": f"Bearer {token}"}


def operations(app, headers):
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, headers=headers)
    chosen = schema.include(path_regex=r"^/api/").exclude(path="/api/live")
    return [result.ok() for result in chosen.get_all_operations()]


def test_no_request_the_description_allows_makes_a_server_error(hub_api):
    app, headers = hub_api
    found = operations(app, headers)
    labels = {operation.label for operation in found}
    assert {"GET /api/accounts/daily", "GET /api/accounts/receipts"} <= labels
    for operation in found:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,  # the same examples each run: nothing kept between runs
        )
        def call(case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        call()
