"""Helpers for migrations that move a model from one app to another.

A moved model keeps its rows: the migration renames its table and changes only Django's
picture of the models (`SeparateDatabaseAndState`). Its content type moves with it, so
that admin log entries and permissions keep pointing at the model.
"""

from collections.abc import Callable


def move_content_type(old_app: str, new_app: str, model: str) -> Callable:
    """A `RunPython` function (forwards) that relabels the content type of `model`."""

    def forwards(apps, schema_editor) -> None:
        content_types = apps.get_model("contenttypes", "ContentType").objects.using(
            schema_editor.connection.alias
        )
        if content_types.filter(app_label=new_app, model=model).exists():
            return  # made by an earlier run of `migrate`; the old one stays behind, unused
        content_types.filter(app_label=old_app, model=model).update(app_label=new_app)

    return forwards
