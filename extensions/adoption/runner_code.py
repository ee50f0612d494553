"""The team's own code in lich init's runner files, carried into the template's versions.

`lich init` wrote its runner files full of example stubs, and teams add their own tasks,
workflows and activities beside them, register them in the worker and give them beat entries.
When the runner stays, the template's files replace lich init's, and what the team wrote moves
with them, under the same module and so the same names (Celery task names are
`<module>.<function>`; Temporal names are the class and function names):

- definitions (functions, classes, assignments) the team added or changed since lich init's
  commit, and whatever they use from the same file, are appended to the template's file, with the
  imports they need; lich init's stubs nobody touched go, unless code elsewhere imports them;
- a definition of the team's that has a name the template's file defines too (lich init's
  `send_email`, edited) cannot be both: the template's stays, the team's version is kept in
  `lich-kept/` and named in the report;
- the Temporal worker (`internal/workers/main.py`) registers what lich init's worker registered
  that is still here; Celery keeps the team's beat entries and extra `include` modules.

Everything works on the syntax tree (`ast`): nothing of the project is imported or run.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field

# The comment above each carried section, so a reader knows where it came from.
CARRIED = "# Kept by the adoption from your lich init version of this file"


@dataclass
class Unit:
    """One top-level statement of a module, with the names it binds and uses."""

    node: ast.stmt
    text: str
    binds: set[str]
    uses: set[str]

    @property
    def shape(self) -> str:
        return ast.dump(self.node, include_attributes=False)


@dataclass
class Module:
    source: str
    units: list[Unit]
    # name -> import statement text that binds it (one line each), split by sandbox need.
    imports: dict[str, str] = field(default_factory=dict)
    passthrough: dict[str, str] = field(default_factory=dict)

    @property
    def bound(self) -> set[str]:
        names = set(self.imports) | set(self.passthrough)
        for unit in self.units:
            names |= unit.binds
        return names

    def unit_binding(self, name: str) -> Unit | None:
        return next((unit for unit in self.units if name in unit.binds), None)


def parse(source: str) -> Module | None:
    """The module's top-level units, or None when it is not valid Python."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    lines = source.splitlines(keepends=True)
    module = Module(source, [])
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            module.imports.update(import_lines(node))
            continue
        if is_passthrough(node):
            assert isinstance(node, ast.With)
            for inner in node.body:
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    module.passthrough.update(import_lines(inner))
            continue
        if is_docstring(node) or is_main_guard(node):
            continue
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        start = first - 1
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1  # comments right above belong to it
        text = "".join(lines[start : node.end_lineno])
        module.units.append(Unit(node, text, bound_names(node), used_names(node)))
    return module


def import_lines(node: ast.Import | ast.ImportFrom) -> dict[str, str]:
    """Each name an import binds -> a one-name import statement binding it."""
    found = {}
    for alias in node.names:
        bound = alias.asname or alias.name.split(".")[0]
        spelled = f"{alias.name} as {alias.asname}" if alias.asname else alias.name
        if isinstance(node, ast.Import):
            found[bound] = f"import {spelled}"
        else:
            found[bound] = f"from {'.' * node.level}{node.module or ''} import {spelled}"
    return found


def is_passthrough(node: ast.stmt) -> bool:
    """`with workflow.unsafe.imports_passed_through():` (imports Temporal's sandbox skips)."""
    return isinstance(node, ast.With) and "imports_passed_through" in ast.dump(node.items[0])


def is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)


def is_main_guard(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "__main__" in ast.dump(node.test)


def bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AnnAssign | ast.AugAssign):
        targets = [node.target]
    names: set[str] = set()
    while targets:  # names and unpacked names bind; `app.conf.x = ...` does not
        target = targets.pop()
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
            targets += [target.value] if isinstance(target, ast.Starred) else list(target.elts)
    return names


def used_names(node: ast.AST) -> set[str]:
    """Names read anywhere in the node, forward references (`"SendEmailInput"`) included."""
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    for constant in ast.walk(node):
        value = constant.value if isinstance(constant, ast.Constant) else None
        if isinstance(value, str) and IDENTIFIER.fullmatch(value):
            names.add(value)
    return names


IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


# ---------------------------------------------------------------- what is the team's


@dataclass
class Carried:
    """What one runner file carries into the template's version."""

    path: str
    kept: list[str] = field(default_factory=list)  # names appended to the template's file
    clashes: list[str] = field(default_factory=list)  # the team's names the template also has
    registered: list[str] = field(default_factory=list)  # newly registered in the worker
    beat: list[str] = field(default_factory=list)  # beat entries kept
    include: list[str] = field(default_factory=list)  # extra Celery `include` modules
    config_changed: bool = False  # edits we do not carry (Celery settings, worker set-up)
    text: str = ""


def changed_units(base: Module | None, ours: Module) -> list[Unit]:
    """The team's units: added since lich init, or changed (compared by syntax, not spacing)."""
    if base is None:
        return list(ours.units)
    before = {frozenset(unit.binds) or unit.shape: unit.shape for unit in base.units}
    return [
        unit for unit in ours.units if before.get(frozenset(unit.binds) or unit.shape) != unit.shape
    ]


def closure(ours: Module, wanted: set[str], provided: set[str]) -> list[Unit]:
    """The units binding `wanted`, and every unit of `ours` they use, transitively, unless the
    template's file `provided` the name already. In the order of the file."""
    chosen: list[Unit] = []
    todo = list(wanted)
    while todo:
        name = todo.pop()
        unit = ours.unit_binding(name)
        if unit is None or unit in chosen or (name in provided and name not in wanted):
            continue
        chosen.append(unit)
        todo += sorted(unit.uses - unit.binds)
    return [unit for unit in ours.units if unit in chosen]


def needed_imports(
    ours: Module, units: list[Unit], provided: set[str]
) -> tuple[list[str], list[str]]:
    """(imports, sandbox passthrough imports) the units need that the template's file lacks."""
    used = set().union(*(unit.uses for unit in units)) if units else set()
    defined = set().union(*(unit.binds for unit in units)) if units else set()
    missing = used - defined - provided
    plain = sorted({ours.imports[name] for name in missing if name in ours.imports})
    passthrough = sorted({ours.passthrough[name] for name in missing if name in ours.passthrough})
    return plain, passthrough


def insert_imports(template: str, plain: list[str], passthrough: list[str]) -> str:
    """`template` with the imports placed after its own import block."""
    if not plain and not passthrough:
        return template
    tree = ast.parse(template)
    last = 0
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom) or is_passthrough(node):
            last = node.end_lineno or last
        elif not is_docstring(node):
            break
    lines = template.splitlines(keepends=True)
    block = "".join(f"{line}\n" for line in plain)
    if passthrough:
        block += "with workflow.unsafe.imports_passed_through():\n"
        block += "".join(f"    {line}\n" for line in passthrough)
    block = f"\n{CARRIED}: imports\n{block}"
    return "".join(lines[:last]) + block + "".join(lines[last:])


def append_section(template: str, units: list[Unit], title: str) -> str:
    if not units:
        return template
    body = "\n\n\n".join(unit.text.rstrip("\n") for unit in units)
    return f"{template.rstrip()}\n\n\n{CARRIED}: {title}\n{body}\n"


def carry_definitions(
    path: str, base: str | None, ours: str, template: str, imported: set[str]
) -> Carried:
    """A tasks/workflows/activities module: the team's definitions, and what others import."""
    carried = Carried(path, text=template)
    mine, theirs = parse(ours), parse(template)
    if mine is None or theirs is None:
        carried.config_changed = True  # not Python we can read: keep the whole file aside
        return carried
    parsed_base = parse(base) if base is not None else None
    provided = theirs.bound
    changed = changed_units(parsed_base, mine)
    wanted = {name for unit in changed for name in unit.binds} | (imported - provided)
    carried.clashes = sorted(
        name for unit in changed for name in unit.binds if name in provided and name != "logger"
    )
    wanted -= provided
    units = closure(mine, wanted, provided)
    plain, passthrough = needed_imports(mine, units, provided)
    text = insert_imports(template, plain, passthrough)
    carried.text = append_section(text, units, "your definitions")
    carried.kept = sorted(wanted & {name for unit in units for name in unit.binds})
    return carried


# ---------------------------------------------------------------- Celery's app


def dict_entries(node: ast.Dict, source: str) -> dict[str, tuple[str, ast.expr]]:
    """String key -> (the entry's source, re-indented to 8 spaces, and its value node)."""
    entries = {}
    for key, value in zip(node.keys, node.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            continue
        segment = ast.get_source_segment(source, value, padded=False) or ""
        shift = 8 - key.col_offset
        lines = segment.splitlines()
        if shift and len(lines) > 1:
            lines = lines[:1] + [reindent(line, shift) for line in lines[1:]]
        entries[key.value] = (f"        {json.dumps(key.value)}: " + "\n".join(lines) + ",", value)
    return entries


def reindent(line: str, shift: int) -> str:
    return " " * shift + line if shift > 0 else line[min(-shift, len(line) - len(line.lstrip())) :]


def beat_schedule(module: Module | None) -> dict[str, tuple[str, ast.expr]]:
    """The beat entries a Celery app module sets, whichever way it spells them."""
    if module is None:
        return {}
    found: dict[str, tuple[str, ast.expr]] = {}
    for unit in module.units:
        for node in ast.walk(unit.node):
            value: ast.expr | None = None
            if isinstance(node, ast.Assign) and any(
                ast.unparse(target).endswith("beat_schedule") for target in node.targets
            ):
                value = node.value
            elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith(
                "beat_schedule.update"
            ):
                value = node.args[0] if node.args else None
            elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("conf.update"):
                value = next((k.value for k in node.keywords if k.arg == "beat_schedule"), None)
            if isinstance(value, ast.Dict):
                found.update(dict_entries(value, module.source))
    return found


def celery_includes(module: Module | None) -> list[str]:
    """The modules `Celery(..., include=[...])` names."""
    if module is None:
        return []
    for unit in module.units:
        for node in ast.walk(unit.node):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("Celery"):
                for keyword in node.keywords:
                    if keyword.arg == "include" and isinstance(keyword.value, ast.List | ast.Tuple):
                        return [
                            element.value
                            for element in keyword.value.elts
                            if isinstance(element, ast.Constant) and isinstance(element.value, str)
                        ]
    return []


def carry_celery_app(
    path: str, base: str | None, ours: str, template: str, tasks: Carried, imported: set[str]
) -> Carried:
    """lich init's celery_app.py: the team's beat entries (and those of the tasks it keeps),
    extra `include` modules, and its own definitions; Celery's settings are the template's."""
    carried = carry_definitions(path, base, ours, template, imported)
    mine, theirs = parse(ours), parse(template)
    if mine is None or theirs is None:
        return carried
    parsed_base = parse(base) if base is not None else None
    before = {name: ast.dump(node) for name, (_, node) in beat_schedule(parsed_base).items()}
    kept_tasks = {f"internal.celery_tasks.{name}" for name in tasks.kept}
    entries = []
    for name, (text, node) in beat_schedule(mine).items():
        task = entry_task(node)
        changed = before.get(name) != ast.dump(node)
        if changed or task in kept_tasks or not str(task).startswith("internal.celery_tasks."):
            entries.append((name, text, node))
    includes = [module for module in celery_includes(mine) if module not in celery_includes(theirs)]
    lines = []
    if includes:
        listed = ", ".join(repr(module) for module in includes)
        lines.append(f"app.conf.update(include=[*app.conf.include, {listed}])")
    if entries:
        lines.append("app.conf.beat_schedule.update(\n    {")
        lines += [text for _, text, _ in entries]
        lines.append("    }\n)")
    carried.beat = [name for name, _, _ in entries]
    carried.include = includes
    if lines:
        used: set[str] = set().union(*(used_names(node) for _, _, node in entries))
        plain = sorted({mine.imports[name] for name in used - theirs.bound if name in mine.imports})
        text = insert_imports(carried.text, plain, [])
        section = "\n".join(lines)
        carried.text = f"{text.rstrip()}\n\n\n{CARRIED}: beat entries and task modules\n{section}\n"
    # Edits to lich init's Celery settings are not carried: the template's settings replace them.
    carried.config_changed = carried.config_changed or any(
        not unit.binds and "beat_schedule" not in unit.text
        for unit in changed_units(parsed_base, mine)
    )
    return carried


def entry_task(node: ast.expr) -> str:
    """The `"task"` a beat entry's dict names ("" if it is not a plain dict literal)."""
    if not isinstance(node, ast.Dict):
        return ""
    for key, value in zip(node.keys, node.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == "task":
            return str(value.value) if isinstance(value, ast.Constant) else ""
    return ""


# ---------------------------------------------------------------- Temporal's worker


def worker_registrations(module: Module | None) -> dict[str, list[str]]:
    """`Worker(workflows=[...], activities=[...])`: the names each list registers."""
    found: dict[str, list[str]] = {"workflows": [], "activities": []}
    if module is None:
        return found
    for unit in module.units:
        for node in ast.walk(unit.node):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("Worker"):
                for keyword in node.keywords:
                    if keyword.arg in found and isinstance(keyword.value, ast.List | ast.Tuple):
                        found[keyword.arg] += [
                            element.id
                            for element in keyword.value.elts
                            if isinstance(element, ast.Name)
                        ]
    return found


def carry_worker_main(
    path: str, ours: str, template: str, available: dict[str, set[str]]
) -> Carried:
    """lich init's worker main.py: the template's worker registers what lich init's did, as
    long as it is still defined (`available`: module -> names it defines after the adoption);
    lich init's untouched stubs, gone with their files, are not."""
    carried = Carried(path, text=template)
    mine, theirs = parse(ours), parse(template)
    if mine is None or theirs is None:
        carried.config_changed = True
        return carried
    registered = worker_registrations(mine)
    template_lists = {"workflows": "WORKFLOWS", "activities": "ACTIVITIES"}
    imports: set[str] = set()
    additions: list[str] = []
    for kind, names in registered.items():
        new = []
        for name in names:
            statement = mine.imports.get(name, "")
            module = statement.split()[1] if statement.startswith("from ") else ""
            if name in theirs.bound and not statement:
                continue
            if module in available and name not in available[module]:
                continue  # a lich init stub that went with its file
            if module in available and name in theirs.bound:
                continue  # the template's own (EmailNotificationWorkflow...), registered already
            if statement:
                imports.add(statement)
            new.append(name)
        if new:
            additions.append(f"{template_lists[kind]} += [{', '.join(new)}]")
            carried.registered += new
    if additions:
        text = insert_imports(template, sorted(imports), [])
        anchor = re.search(r"^ACTIVITIES: .*?^\]\n", text, re.MULTILINE | re.DOTALL)
        block = f"{CARRIED}: what your worker registered\n" + "\n".join(additions) + "\n\n"
        at = anchor.end() if anchor else len(text)
        carried.text = text[:at] + block + text[at:]
    carried.config_changed = True  # its client and worker set-up are the template's now
    return carried


# ---------------------------------------------------------------- who imports what


def imported_names(sources: dict[str, str], module: str) -> dict[str, set[str]]:
    """For each file in `sources`, the names it takes from `module` (`from module import x`,
    or `import module` / `module as m` followed by `m.x`)."""
    found: dict[str, set[str]] = {}
    for path, source in sources.items():
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        names: set[str] = set()
        aliases: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == module and not node.level:
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == module:
                        aliases.add(alias.asname or module)
        if aliases:
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and ast.unparse(node.value) in aliases:
                    names.add(node.attr)
        if names:
            found[path] = names
    return found
