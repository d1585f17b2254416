"""Property tests of the whole API from its OpenAPI schema (schemathesis, in-process ASGI):
no generated request, valid (positive) or invalid (negative), may get a 5xx.

schemathesis's own pytest plugin does not load under pytest 9, so each operation's hypothesis
strategy is driven directly. Scenario runs are the fast stand-in of ``conftest``.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

#: Generated requests per operation and generation mode.
EXAMPLES = 12


def _operations(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [r.ok() for r in schema.get_all_operations()]


def test_operations_are_covered(app):
    labels = {op.label for op in _operations(app)}
    assert {
        "GET /api/events",
        "POST /api/events",
        "POST /api/events/ingest",
        "GET /api/events/{event_id}",
        "POST /api/scenarios/{name}/run",
        "GET /api/areas",
    } <= labels


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"]
)
def test_no_server_error(app, keyring, mode):
    auth = {"Authorization": f"Bearer {keyring.keys['operator']}"}
    calls, no_negative = [], []
    for op in _operations(app):
        if op.label == "GET /api/areas" and mode is GenerationMode.POSITIVE:
            n = 4  # each valid call may serialise all 64 areas (3 MB)
        else:
            n = EXAMPLES

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(
            max_examples=n,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            # a negative case may be negative in its headers alone (an empty Authorization):
            # its own headers win over the operator key, or the case would be a valid call
            negative = mode is GenerationMode.NEGATIVE
            headers = {**auth, **(case.headers or {})} if negative else auth
            response = case.call_and_validate(checks=[not_a_server_error], headers=headers)
            detail = response.json().get("detail") if response.status_code == 422 else None
            calls.append((case.operation.label, response.status_code, detail))

        try:
            run()
        except Unsatisfiable:  # nothing to get wrong: an operation without parameters
            assert mode is GenerationMode.NEGATIVE, op.label
            no_negative.append(op.label)
    assert "POST /api/events" not in no_negative
    assert len(calls) >= 20
    assert all(c < 500 for _, c, _ in calls)
    created = [(c, d) for label, c, d in calls if label == "POST /api/events"]
    if mode is GenerationMode.POSITIVE:
        # schema-valid reports are accepted (201 new, 200 repeat), unless they break a rule
        # between two fields that the JSON schema cannot express
        assert any(c == 201 for c, _ in created)
        for c, d in created:
            assert c in (200, 201) or (c == 422 and ("give both" in d or "needs its" in d)), d
    else:  # invalid ones are refused
        assert created and all(400 <= c < 500 for c, _ in created), created
