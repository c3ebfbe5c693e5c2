"""The project rule of workers.telemetry.project_claim, applied to protobuf bytes without parsing them.

Trace, metric and log export requests share their outer shape: field 1 repeats the resource holders
(ResourceSpans/ResourceMetrics/ResourceLogs), whose field 1 is the Resource, whose field 1 repeats its
attributes. Only that outer shell is walked; the spans, points and records inside are copied as
they are, so checking a 300 KiB request costs microseconds, where a full parse costs milliseconds.
A resource without `pyflare.project` gets it appended to its attributes (the lengths around it are
rewritten). Encodings this walk does not expect raise `UnusualEncoding`: the caller then falls back
to the parsing path, which decides the same way.
"""

from __future__ import annotations

from workers.telemetry.project_claim import PROJECT_ATTRIBUTE, ForeignProject, foreign_message

_KEY = PROJECT_ATTRIBUTE.encode()
_LEN = 2  # wire type of length-delimited fields


class UnusualEncoding(ValueError):
    """Not the plain encoding the walk handles (or not protobuf at all)."""


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise UnusualEncoding("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _fields(data: bytes) -> list[tuple[int, int, int, int]]:
    """(field, wire type, start of the whole field, start of its payload, end) of each field."""
    out = []
    pos = 0
    while pos < len(data):
        start = pos
        tag, pos = _varint(data, pos)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            _value, pos = _varint(data, pos)
            body = pos
        elif wire == 1:
            body, pos = pos, pos + 8
        elif wire == _LEN:
            length, body = _varint(data, pos)
            pos = body + length
        elif wire == 5:
            body, pos = pos, pos + 4
        else:
            raise UnusualEncoding(f"wire type {wire}")
        if pos > len(data) or field == 0:
            raise UnusualEncoding("field runs past the end")
        out.append((field, wire, start, body, pos))
    return out


def _length_field(field: int, payload: bytes) -> bytes:
    return _encode_varint(field << 3 | _LEN) + _encode_varint(len(payload)) + payload


def _string_value(any_value: bytes) -> str | None:
    """The AnyValue's string, if it is exactly one string_value."""
    fields = _fields(any_value)
    if len(fields) != 1 or fields[0][0] != 1 or fields[0][1] != _LEN:
        return None
    _f, _w, _s, body, end = fields[0]
    try:
        return any_value[body:end].decode("utf-8")
    except UnicodeDecodeError:
        return None


def _check_resource(resource: bytes, project: str) -> bool:
    """Whether the Resource names the project; ForeignProject if it names anything else."""
    named = False
    for field, wire, _start, body, end in _fields(resource):
        if field != 1 or wire != _LEN:
            continue
        key_value = _fields(resource[body:end])
        keys = [resource[body + b:body + e] for f, w, _s, b, e in key_value if f == 1 and w == _LEN]
        if not keys or keys[-1] != _KEY:
            continue
        values = [(b, e) for f, w, _s, b, e in key_value if f == 2 and w == _LEN]
        if len(keys) != 1 or len(values) > 1:
            raise UnusualEncoding("a repeated field inside a KeyValue")
        text = _string_value(resource[body + values[0][0]:body + values[0][1]]) if values else None
        if text != project:
            raise ForeignProject(foreign_message(text, project))
        named = True
    return named


def _stamped_holder(holder: bytes, project: str) -> bytes | None:
    """The holder with its resource stamped, or None when it already names the project."""
    fields = _fields(holder)
    resources = [f for f in fields if f[0] == 1]
    if len(resources) > 1 or (resources and resources[0][1] != _LEN):
        raise UnusualEncoding("a resource holder with more than one resource")
    attribute = _length_field(1, _length_field(1, _KEY) + _length_field(2, _length_field(1, project.encode())))
    if not resources:
        return _length_field(1, attribute) + holder
    _field, _wire, start, body, end = resources[0]
    resource = holder[body:end]
    if _check_resource(resource, project):
        return None
    return holder[:start] + _length_field(1, resource + attribute) + holder[end:]


def claim_project_bytes(payload: bytes, project: str) -> bytes:
    """`payload` with every resource checked against (and stamped with) `project`; the same object
    when nothing needed stamping. Raises ForeignProject, or UnusualEncoding to ask for the parsing path."""
    pieces: list[bytes] = []
    changed = False
    for field, wire, start, body, end in _fields(payload):
        if field == 1 and wire == _LEN:
            stamped = _stamped_holder(payload[body:end], project)
            if stamped is not None:
                pieces.append(_length_field(1, stamped))
                changed = True
                continue
        pieces.append(payload[start:end])
    return b"".join(pieces) if changed else payload
