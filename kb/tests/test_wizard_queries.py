"""A wizard step costs the same few queries whatever the size of the tree."""

import pytest

from kb.tests.factories import make_big_tree
from kb.tree import tree_problems, wizard_url


@pytest.mark.parametrize("size", [10, 2000])
def test_a_step_costs_a_constant_number_of_queries(client, db, size,
                                                   django_assert_num_queries):
    path = make_big_tree(size)
    assert tree_problems() == []  # a real, valid tree of that size
    assert len(path) >= (2 if size == 10 else 10)

    # A question: 1. the steps of the path (with the start), 2. their answers.
    with django_assert_num_queries(2):
        response = client.get(wizard_url(path[:-1]))
    assert response.status_code == 200

    # An outcome: the same two, 3. its support lines.
    with django_assert_num_queries(3):
        response = client.get(wizard_url(path))
    assert response.status_code == 200
    assert f"Issue {path[-1].removeprefix('etape-')}" in response.content.decode()
