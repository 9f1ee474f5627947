"""Show database constraint violations on the form field they are about.

Django reports a failed `CheckConstraint` or `UniqueConstraint` as a form-wide error.
A model that lists `constraint_error_fields = {violation_error_code: field_name}` gets
those errors on the named field instead, so the person filling the form sees the message
beside the field to fix. The database still enforces the constraint on its own.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models


class ConstraintErrorsOnFields(models.Model):
    constraint_error_fields: dict[str, str] = {}

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict({})
            moved: dict[str, list[ValidationError]] = {}
            kept = []
            for item in errors.pop(NON_FIELD_ERRORS, []):
                field = self.constraint_error_fields.get(getattr(item, "code", None) or "")
                if field:
                    moved.setdefault(field, []).append(item)
                else:
                    kept.append(item)
            for field, items in moved.items():
                errors.setdefault(field, []).extend(items)
            if kept:
                errors[NON_FIELD_ERRORS] = kept
            raise ValidationError(errors) from None
