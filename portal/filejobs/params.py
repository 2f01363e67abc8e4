"""The filters of a job as JSON and back: parsed values (months, days, numbers, text),
never the request's raw query string."""

import dataclasses
import datetime as dt

from portal.mentoring.rules import Month


def to_json(value):
    if isinstance(value, Month):
        return {"$month": value.key}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"A job's filters hold months, days, numbers and text, not {type(value)}.")


def from_json(value):
    if isinstance(value, dict):
        if "$month" in value:
            return Month.parse(value["$month"])
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
    if isinstance(value, list):
        return [from_json(item) for item in value]
    return value


def filters_to_json(filters) -> dict:
    return {f.name: to_json(getattr(filters, f.name)) for f in dataclasses.fields(filters)}


def filters_from_json(cls, data: dict):
    """``cls`` (a dataclass) from its JSON; fields it no longer has are left out."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{name: from_json(value) for name, value in data.items() if name in names})
