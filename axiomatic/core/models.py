"""The base model and the public id field every model shares."""

from django.db import models

from axiomatic.core.ids import MAX_LENGTH, new_public_id


class PublicIdField(models.CharField):
    """A unique, prefixed, random id filled in on insert (bulk_create included)."""

    def __init__(self, *args, prefix: str, **kwargs):
        self.prefix = prefix
        kwargs.setdefault("max_length", MAX_LENGTH)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["prefix"] = self.prefix
        # Our defaults differ from CharField's: state what differs from ours, including a copy
        # that is not unique (a history table's), which CharField's deconstruct leaves unsaid.
        actual = {"max_length": self.max_length, "unique": self.unique, "editable": self.editable}
        for key, default in (("max_length", MAX_LENGTH), ("unique", True), ("editable", False)):
            if actual[key] == default:
                kwargs.pop(key, None)
            else:
                kwargs[key] = actual[key]
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if add and not value:
            value = new_public_id(self.prefix)
            setattr(model_instance, self.attname, value)
        return value


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
