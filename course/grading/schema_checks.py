"""The JSON-schema checks nbgrader and nbclient make for every cell and output, made cheap.

Both libraries validate through ``jsonschema`` on paths that rebuild a
validator per call: nbgrader's ``CheckCellMetadata`` checks each cell's
metadata (about 7 ms a cell), and nbformat's ``new_output``, which nbclient
calls for every output a kernel sends, checks the output against a
``#/definitions/...`` reference, which nbformat's fastjsonschema validator
hands to jsonschema (about 0.7 ms an output). Here a fastjsonschema
compilation of the same schema, built once, recognises what is valid; anything
it rejects goes through the original check, so every error raised is the
library's own.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import nbformat.v4
import nbformat.v4.nbbase
from nbgrader.nbgraderformat import common as nbgraderformat_common


class _CachedJsonschema:
    """``jsonschema.validate`` with the validator built once per schema, and a fast path."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[dict[str, Any], Any, Any]] = {}
        self._by_text: dict[str, tuple[Any, Any]] = {}

    def validate(self, instance: Any, schema: dict[str, Any]) -> None:
        fast, full = self._compiled(schema)
        try:
            fast(instance)
            return
        except fastjsonschema.JsonSchemaException:
            pass
        error = jsonschema.exceptions.best_match(full.iter_errors(instance))
        if error is not None:
            raise error

    def _compiled(self, schema: dict[str, Any]) -> tuple[Any, Any]:
        known = self._by_id.get(id(schema))
        if known is not None and known[0] is schema:
            return known[1], known[2]
        key = json.dumps(schema, sort_keys=True)
        if key not in self._by_text:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            self._by_text[key] = (fastjsonschema.compile(schema), cls(schema))
        fast, full = self._by_text[key]
        self._by_id[id(schema)] = (schema, fast, full)
        return fast, full


class _OutputCheck:
    """``nbformat.v4.nbbase.validate`` with a compiled check per ``ref`` tried first."""

    def __init__(self, original: Callable[..., Any]) -> None:
        self._original = original
        folder = Path(nbformat.v4.__file__).parent
        self._schema = json.loads(
            (folder / nbformat.v4.nbformat_schema[(None, None)]).read_text(encoding="utf-8")
        )
        self._checks: dict[str, Callable[[Any], Any]] = {}

    def __call__(self, node: Any, ref: str | None = None) -> Any:
        if ref is not None and ref in self._schema["definitions"]:
            if ref not in self._checks:
                self._checks[ref] = fastjsonschema.compile(
                    {**self._schema, "$ref": f"#/definitions/{ref}"}
                )
            try:
                self._checks[ref](node)
                return None
            except fastjsonschema.JsonSchemaException:
                pass
        return self._original(node, ref=ref)


@contextlib.contextmanager
def fast_validation() -> Iterator[None]:
    """Point nbgrader's metadata check and nbformat's output check at the cached ones."""
    saved = nbgraderformat_common.jsonschema, nbformat.v4.nbbase.validate
    nbgraderformat_common.jsonschema = _CachedJsonschema()
    nbformat.v4.nbbase.validate = _OutputCheck(saved[1])
    try:
        yield
    finally:
        nbgraderformat_common.jsonschema, nbformat.v4.nbbase.validate = saved
