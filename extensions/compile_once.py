"""Compile each Jinja source once per process, not once per use.

Copier renders every part of every path as a template of its own (`backend`, `internal`, ...:
hundreds of compilations per render for a few dozen distinct strings), and `copier update`
renders the template three times (old version, project, new version), each time with a new
Jinja environment that compiles every file again. Compiling is half of a render's time here.

This extension keeps the code Jinja compiles, keyed by the source and by everything in the
environment that changes the compiled code, and hands it back on the next compilation of the
same source. Rendering is untouched: each render still runs the template's code with its own
context. The cache belongs to the process (one `copier copy` or `copier update`), so it hangs off
the `jinja2` module, which every environment of the process shares, whichever clone of the
template loaded this file.
"""

from __future__ import annotations

from types import CodeType
from typing import Any

import jinja2
from jinja2 import Environment
from jinja2.ext import Extension

_CODE: dict[tuple[Any, ...], CodeType] = vars(jinja2).setdefault("_lich_compiled", {})


class CompileOnce(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        compile_source = environment.compile

        def compile_once(
            source: str,
            name: str | None = None,
            filename: str | None = None,
            raw: bool = False,
            defer_init: bool = False,
        ) -> Any:
            if raw or not isinstance(source, str):
                return compile_source(source, name, filename, raw, defer_init)
            key = (_settings(environment), source, name, defer_init)
            code = _CODE.get(key)
            if code is None:
                code = _CODE[key] = compile_source(source, name, filename, raw, defer_init)
            else:
                # What compiling would have done besides: extensions reset their state per
                # source here (copier's `yield` tag does).
                environment.preprocess(source, name, filename)
            return _with_filename(code, filename or "<template>")

        environment.compile = compile_once  # type: ignore[method-assign]


def _settings(environment: Environment) -> tuple[Any, ...]:
    """What the compiled code depends on besides the source: syntax, whitespace handling and
    the tags the extensions add (by name: each clone of the template loads its own classes)."""
    return (
        type(environment).__name__,
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.autoescape if isinstance(environment.autoescape, bool) else "function",
        environment.optimized,
        environment.is_async,
        environment.finalize is not None,
        tuple(
            sorted((type(ext).__name__, *sorted(ext.tags)) for ext in environment.iter_extensions())
        ),
    )


def _with_filename(code: CodeType, filename: str) -> CodeType:
    """The code as if compiled from `filename` (tracebacks name the file being rendered)."""
    if code.co_filename == filename:
        return code
    constants = tuple(
        _with_filename(constant, filename) if isinstance(constant, CodeType) else constant
        for constant in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=constants)
