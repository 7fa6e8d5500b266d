"""``read_rows``' result as bytes and back: kept between an import's preview and its
apply (the admin's private stash), and in a background import's job."""

import datetime
import json

# How read_rows' cell values that JSON lacks are kept: tagged ISO strings.
_TEMPORAL = {"date": datetime.date, "datetime": datetime.datetime, "time": datetime.time}


def value_encode(value):
    for tag, kind in reversed(_TEMPORAL.items()):  # datetime before date: it is one
        if isinstance(value, kind):
            return {tag: value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"timedelta": value.total_seconds()}
    return value


def value_decode(value):
    if isinstance(value, dict):
        ((tag, text),) = value.items()
        if tag == "timedelta":
            return datetime.timedelta(seconds=text)
        return _TEMPORAL[tag].fromisoformat(text)
    return value


def rows_dump(rows) -> bytes:
    """``read_rows``' result as bytes to keep between preview and apply."""
    return json.dumps(
        [[number, {key: value_encode(value) for key, value in values.items()}] for number, values in rows],
        ensure_ascii=False,
    ).encode()


def rows_load(data: bytes):
    return [
        (number, {key: value_decode(value) for key, value in values.items()})
        for number, values in json.loads(data)
    ]
