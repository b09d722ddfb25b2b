"""Walking schema.org JSON-LD objects: every (property, value) pair at any depth."""

from __future__ import annotations

from collections.abc import Iterator


def walk(data: object) -> Iterator[tuple[str, object]]:
    """Yield (key, value) for every property of every nested object in *data*.

    A list value is yielded once per item, so ``"email": ["a@b", "c@d"]`` gives two
    pairs.
    """
    if isinstance(data, list):
        for item in data:
            yield from walk(item)
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, list):
                for item in value:
                    yield str(key), item
            else:
                yield str(key), value
            yield from walk(value)


def objects_of_type(data: object, *types: str) -> Iterator[dict]:
    """Every nested object whose ``@type`` is (or includes) one of *types*."""
    wanted = {t.lower() for t in types}
    if isinstance(data, list):
        for item in data:
            yield from objects_of_type(item, *types)
    elif isinstance(data, dict):
        kind = data.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and k.lower() in wanted for k in kinds):
            yield data
        for value in data.values():
            yield from objects_of_type(value, *types)
