"""`in` on integer columns, safe with any number a browser sends.

Django turns `pk=99999999999999999999` (a number no integer column can hold) into an empty
result, but not `pk__in=[…]`: SQLite then raises OverflowError, a 500. ModelMultipleChoiceField
(the agents' bulk form, the admin's many-to-many fields) and the admin's autocomplete widgets
look up what was posted with `in`. Registered for every integer field in kb.apps."""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    """Leaves out the values the column cannot hold: no row can match them."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type())
            self.rhs = [value for value in self.rhs if not isinstance(value, int) or (
                (low is None or value >= low) and (high is None or value <= high))]
        return super().process_rhs(compiler, connection)


def register_integer_in() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
