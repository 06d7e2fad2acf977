"""Positional constructors of the frozen record dataclasses, for building many at a time.

A frozen dataclass's `__init__` sets each field with `object.__setattr__` (its own
`__setattr__` refuses): a 21-field AssessmentRecord costs ~2.5 µs, a LabRecord ~1.3 µs, and a
chart builds ~500 of them on every open (bench/README.md, "Chart open": the records). The
maker here fills the instance's `__dict__` in one step from a dict literal: the same object,
equal, with the same repr and the same `vars()` (fields in their declared order), at about a
third of the cost. Only for plain dataclasses: no `__slots__`, no `__post_init__`, no
`InitVar`, every value passed (no defaults applied).
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Callable


@functools.lru_cache(maxsize=None)
def record_maker(cls: type) -> Callable:
    """`make(*values)`, the same as `cls(*values)` with every field given in order."""
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__") \
            or "__slots__" in vars(cls):
        raise TypeError(f"{cls.__name__} is not a plain dataclass")
    names = [f.name for f in dataclasses.fields(cls)]
    if len(names) != len(cls.__dataclass_fields__):  # an InitVar or a ClassVar
        raise TypeError(f"{cls.__name__} has fields that are not plain fields")
    if not all(name.isidentifier() and not name.startswith("_") for name in names):
        raise TypeError(f"{cls.__name__} has a field this maker cannot name")
    body = ", ".join(f"{name!r}: {name}" for name in names)
    source = (f"def make({', '.join(names)}):\n"
              f"    _obj = _new(_cls)\n"
              f"    _set(_obj, '__dict__', {{{body}}})\n"
              f"    return _obj\n")
    namespace = {"_new": object.__new__, "_set": object.__setattr__, "_cls": cls}
    exec(source, namespace)  # the field names were checked above (as dataclasses does)
    make = namespace["make"]
    make.__qualname__ = f"record_maker({cls.__name__})"
    return make
