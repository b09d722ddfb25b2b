"""
Errors that datacity owns.

    DatacityError
    ├── ConfigError        bad configuration (environment variable or setting)
    └── StoreError         the store layer refused or failed a write
        └── StoreValueError    a value can never be stored (e.g. a NUL byte)
"""

from __future__ import annotations


class DatacityError(Exception):
    """Root of every error a user of datacity can act on."""


class ConfigError(DatacityError):
    """Raised while reading configuration when a variable holds an unusable value.

    The message names the variable and its value so that one line is enough to fix it.
    """

    def __init__(self, variable: str, value: str, reason: str) -> None:
        self.variable = variable
        self.value = value
        self.reason = reason
        super().__init__(f"{variable}={value!r}: {reason}")


class StoreError(DatacityError):
    """Raised by the store layer when a batch cannot be written."""


class StoreValueError(StoreError, ValueError):
    """Raised before any write when a row holds a value the database cannot keep.

    Nothing of the batch is written, so what is already stored stays as it was.
    """

    def __init__(self, table: str, column: str, key: object, reason: str) -> None:
        self.table = table
        self.column = column
        self.key = key
        super().__init__(f"{table}.{column} of row {key!r}: {reason}")
