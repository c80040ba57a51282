"""100 help requests at once: none lost, all references distinct (PostgreSQL)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from triage.models import Ticket
from triage.tests.factories import VALID_FORM

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (make test-pg, .ci/run)"
)


@pytest.mark.django_db(transaction=True)
def test_100_parallel_submissions_make_100_distinct_tickets(settings):
    settings.TRIAGE_RATE_LIMIT = (1000, 60)

    def submit(number):
        try:
            response = Client().post("/aide/", {**VALID_FORM, "name": f"Personne {number}"},
                                     REMOTE_ADDR=f"10.1.{number // 250}.{number % 250}")
            return response.status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(submit, range(100)))

    assert statuses == [302] * 100
    tickets = list(Ticket.objects.all())
    assert len(tickets) == 100
    assert len({ticket.reference for ticket in tickets}) == 100
    assert {ticket.name for ticket in tickets} == {f"Personne {n}" for n in range(100)}
