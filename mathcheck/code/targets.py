"""TARGETs of ``mathcheck check-code``: the user's functions, loaded from files or modules.

    path/to/file.py::name            a function (or a callable object, or a class built without arguments)
    path/to/file.py::Class.method    a method, a staticmethod or a classmethod
    package.module:name              the same, imported by module name (the current directory on sys.path)
    path/to/file.py                  every function and method defined in the file whose role its argument
                                     names show (a mean and a scale, or data and a reconstruction)

A decorated function of a whole file (``@jax.jit``, ``@torch.jit.script``, a decorator without
``functools.wraps``) is found from the file's own ``def``: its arguments are read from the undecorated
function (``inspect.unwrap``, the decorator's closure, or the ``def`` compiled again without its decorators),
and the decorated object is what is called; one whose decorator left no callable is listed as undecided.

A file is imported by path as a uniquely named module, with its directory (and, inside a package, the
package root's parent, so that relative imports work) on ``sys.path`` while it is imported; ``sys.argv``
is the file alone and the module's prints go to stderr. A method that uses ``self`` is bound to
``Class()`` when the class can be built without arguments; one that never reads ``self`` is bound to a
placeholder. Every mistake is a :class:`~mathcheck.code.roles.UsageError` with one line.
"""
from __future__ import annotations

import ast
import contextlib
import copy
import difflib
import dis
import importlib
import importlib.util
import inspect
import itertools
import os
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from mathcheck.code.encoder import encoder_output_cut, unread_cut
from mathcheck.code.guard import is_users_interrupt
from mathcheck.code.roles import (RECONSTRUCTION_ROLES, SCALE_ROLES, UsageError, argument_roles,
                                  arguments_sharing_a_role, role_from_name, unassigned_required)

FORMS = "FILE.py, FILE.py::NAME, FILE.py::Class.method or package.module:NAME"
_counter = itertools.count(1)


@dataclass(frozen=True)
class Target:
    """One function to check, under the name the report gives it."""

    name: str
    function: Callable


def load_targets(specs: Sequence[str], overrides: Mapping[str, str] | None = None,
                 warn: Callable[[str], None] | None = None) -> list[Target]:
    """Every TARGET, in order; ``warn`` hears about the functions of a whole file that are skipped."""
    loader = _Loader(dict(overrides or {}), warn or (lambda message: None))
    return [target for spec in specs for target in loader.load(spec)]


def source_location(function: Callable) -> tuple[str, int] | None:
    """(file, first line) of a function's definition, the file relative to the current directory when inside."""
    target = inspect.unwrap(getattr(function, "__func__", function))
    if not (inspect.isfunction(target) or inspect.ismethod(target)):
        target = getattr(type(target), "__call__", target)
    try:
        filename = inspect.getsourcefile(target) or inspect.getfile(target)
        _, line = inspect.getsourcelines(target)
    except (TypeError, OSError):
        return None
    path = Path(filename).resolve()
    try:
        shown = path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = str(path)
    return shown, max(int(line), 1)


class _Loader:
    def __init__(self, overrides: dict[str, str], warn: Callable[[str], None]):
        self.overrides = overrides
        self.warn = warn
        self.modules: dict[Path, types.ModuleType] = {}

    def load(self, spec: str) -> list[Target]:
        spec = spec.strip()
        if "::" in spec:
            path, _, name = spec.rpartition("::")
            return [Target(spec, self.named(self.file_module(path), name, f"{path}::"))]
        if spec.endswith(".py") or os.path.isfile(spec) or os.path.isdir(spec):
            return self.whole_file(spec)
        if ":" in spec:
            left, _, name = spec.rpartition(":")
            if left.endswith(".py"):
                return [Target(spec, self.named(self.file_module(left), name, f"{left}::"))]
            return [Target(spec, self.named(self.named_module(left), name, f"{left}:"))]
        if "/" in spec or os.sep in spec:
            raise UsageError(f"no such file: {spec}")
        raise UsageError(f"unrecognized TARGET {spec!r}: expected {FORMS}")

    # modules

    def file_module(self, spec_path: str) -> types.ModuleType:
        path = Path(spec_path)
        if not path.exists():
            raise UsageError(f"no such file: {spec_path}")
        if path.is_dir():
            raise UsageError(f"{spec_path} is a directory; a TARGET is {FORMS}")
        resolved = path.resolve()
        if resolved not in self.modules:
            self.modules[resolved] = _import_file(resolved, spec_path)
        return self.modules[resolved]

    def named_module(self, module_name: str) -> types.ModuleType:
        if not module_name or not all(part.isidentifier() for part in module_name.split(".")):
            raise UsageError(f"unrecognized TARGET module {module_name!r}: expected {FORMS}")
        with _importing(sys.argv[:1], [os.getcwd()]):
            try:
                return importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name and (module_name == error.name or module_name.startswith(error.name + ".")):
                    raise UsageError(f"no module named {module_name!r}") from None
                raise UsageError(f"error importing {module_name}: {_first_line(error)}") from None
            except SyntaxError as error:
                raise UsageError(f"error importing {module_name}: {_syntax_error(error)}") from None
            except (Exception, SystemExit) as error:
                raise UsageError(f"error importing {module_name}: {_first_line(error)}") from None

    # names

    def named(self, module: types.ModuleType, qualname: str, prefix: str) -> Callable:
        """``prefix`` is how the TARGET names the module: ``path.py::`` or ``package.module:``."""
        parts = qualname.split(".")
        if not qualname or not all(part.isidentifier() for part in parts):
            raise UsageError(f"TARGET {prefix}{qualname}: expected a function NAME or Class.method after the module")
        owner: Any = module
        for depth, part in enumerate(parts):
            if not hasattr(owner, part):
                raise UsageError(_unknown_name(owner, part, prefix + ".".join(parts[:depth])))
            if depth == len(parts) - 1:
                break
            owner = getattr(owner, part)
        return _callable(owner, parts[-1], f"{prefix}{qualname}")

    def whole_file(self, spec_path: str) -> list[Target]:
        module = self.file_module(spec_path)
        found: list[tuple[int, str, Callable[[], Callable]]] = []
        no_role: list[str] = []
        for qualname, line, signature_of, build in _definitions(module):
            roles = _with_cut_pieces(signature_of, argument_roles(signature_of, self.overrides), self.overrides)
            missing = unassigned_required(signature_of, roles)
            unread = unread_cut(signature_of, self.overrides) if missing else None
            if unread is not None:  # a KL or sampler whose cut is not read: named in the report, not dropped
                self.warn(f"not checked {spec_path}::{qualname}: {unread}")
                found.append((line, qualname, lambda function=signature_of, reason=unread: unchecked(function, reason)))
                continue
            if not _plays_a_role(roles):
                continue
            if missing:
                no_role.append(qualname)
                self.warn(f"skipped {spec_path}::{qualname}: its argument{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(repr(name) for name in missing)} ha{'ve' if len(missing) > 1 else 's'} "
                          f"no role (give one with --inputs {missing[0]}=ROLE)")
                continue
            if arguments_sharing_a_role(roles):
                no_role.append(qualname)
                self.warn(f"skipped {spec_path}::{qualname}: two of its arguments would get the same input "
                          f"({', '.join(f'{name}={role}' for name, role in roles.items())}); name it as a target "
                          "with --inputs to check it")
                continue
            found.append((line, qualname, build))
        if not found:
            skipped = f" ({len(no_role)} skipped: arguments without a role)" if no_role else ""
            raise UsageError(f"{spec_path}: no function whose role its argument names show{skipped}; name one "
                             f"as {spec_path}::NAME (and its arguments with --inputs name=role)")
        return [Target(f"{spec_path}::{qualname}", build()) for _, qualname, build in sorted(found)]


def unchecked(function: Callable, reason: str) -> Callable:
    """A stand-in for a function found in a whole file that cannot be checked: the report names it undecided
    with ``reason`` (``mathcheck_unchecked``) instead of leaving it out."""
    def stand_in(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError(reason)

    inner = inspect.unwrap(function)
    stand_in.__wrapped__ = inner
    stand_in.__name__ = getattr(inner, "__name__", "unchecked")
    stand_in.__qualname__ = getattr(inner, "__qualname__", stand_in.__name__)
    stand_in.__module__ = getattr(inner, "__module__", None)
    stand_in.mathcheck_unchecked = reason
    return stand_in


def _with_cut_pieces(function: Callable, roles: dict[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    """The roles, with an encoder-output argument the code cuts into a mean and a scale
    (``mu, logvar = h.chunk(2, dim=-1)``, :mod:`mathcheck.code.encoder`) given its pieces' roles."""
    cut = encoder_output_cut(function, overrides)
    if cut is None:
        return roles
    return {**roles, cut.argument: "encoder output", **{name: role_from_name(name) for name in cut.names}}


def _plays_a_role(roles: Mapping[str, str]) -> bool:
    """A mean and a scale (a KL, a sampler, a loss) or data and a decoder output (a loss)."""
    present = set(roles.values())
    return ("mu" in present and bool(present & set(SCALE_ROLES))) or (
        "x" in present and bool(present & set(RECONSTRUCTION_ROLES)))


def _definitions(module: types.ModuleType) -> Iterator[tuple[str, int, Callable, Callable[[], Callable]]]:
    """(qualname, line, a callable with the caller's signature, how to build the callable) for every
    function and method defined in ``module`` (dunder methods other than ``__call__`` left out), decorated
    ones included (:func:`_decorated`)."""
    nodes = _def_nodes(module)
    for name, value in list(vars(module).items()):
        node = nodes.get(name)
        if inspect.isfunction(value) and value.__module__ == module.__name__ and not _hidden(value, node):
            yield name, _line(value), value, (lambda value=value: value)
        elif node is not None and not inspect.isclass(value):
            found = _decorated(value, node, module, name)
            if found is not None:
                yield found
        elif inspect.isclass(value) and value.__module__ == module.__name__:
            for attribute, raw in list(vars(value).items()):
                if attribute.startswith("__") and attribute != "__call__":
                    continue
                function = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
                qualname = f"{name}.{attribute}"
                node = nodes.get(qualname)
                spec = f"{module.__mathcheck_spec__}::{qualname}"
                if not inspect.isfunction(function) or _hidden(function, node):
                    if node is not None:
                        found = _decorated(function, node, module, qualname,
                                           lambda cls=value, attribute=attribute, spec=spec:
                                           _callable(cls, attribute, spec),
                                           drop_first=not isinstance(raw, staticmethod))
                        if found is not None:
                            yield found
                    continue
                shown = _without_first(function) if not isinstance(raw, staticmethod) else function
                yield (qualname, _line(function), shown,
                       lambda cls=value, attribute=attribute, spec=spec: _callable(cls, attribute, spec))


def _def_nodes(module: types.ModuleType) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """The file's own ``def`` statements by qualname: module-level functions and the methods of its classes."""
    try:
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    except Exception:  # no source to read: only what the module holds counts
        return {}
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    nodes: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, kinds):
            nodes[node.name] = node
        elif isinstance(node, ast.ClassDef):
            nodes.update({f"{node.name}.{item.name}": item for item in node.body if isinstance(item, kinds)})
    return nodes


def _hidden(function: Callable, node: Any) -> bool:
    """A function bound to a ``def``'s name that is not that ``def`` (a decorator's wrapper without
    ``functools.wraps``: its signature is the wrapper's ``*args, **kwargs``)."""
    if node is None:
        return False
    inner = inspect.unwrap(function)
    return getattr(getattr(inner, "__code__", None), "co_name", node.name) != node.name


def _decorated(value: Any, node: Any, module: types.ModuleType, qualname: str,
               build: Callable[[], Any] | None = None, drop_first: bool = False
               ) -> tuple[str, int, Callable, Callable[[], Callable]] | None:
    """A decorated ``def`` of the file: (qualname, line, its undecorated signature, a stand-in that calls the
    decorated object with that signature); one that cannot be called is listed undecided, never dropped."""
    original = _original(value, node, module, qualname)
    if original is None:
        return None
    try:
        signature = inspect.signature(original)
    except (TypeError, ValueError):
        return None
    if drop_first:
        signature = signature.replace(parameters=list(signature.parameters.values())[1:])
    decorators = ", ".join("@" + _decorator_text(d) for d in node.decorator_list) or "a decorator"
    line = node.lineno

    def stand_in_for(target: Any) -> Callable:
        def call(*args: Any, **kwargs: Any) -> Any:
            return target(*args, **kwargs)

        call.__wrapped__ = original  # the code and globals of the def, for the readers of the source
        call.__signature__ = signature
        call.__name__, call.__qualname__ = node.name, qualname
        call.__module__ = module.__name__
        return call

    shown = stand_in_for(None)
    if build is None and not callable(value):
        reason = (f"its decorator ({decorators}) leaves {qualname} a {type(value).__name__}, not a function: "
                  "mathcheck cannot call it")
        return qualname, line, shown, (lambda: unchecked(shown, reason))

    def built() -> Callable:
        target = build() if build is not None else value
        return stand_in_for(target)

    return qualname, line, shown, built


def _decorator_text(node: ast.expr) -> str:
    try:
        return ast.unparse(node)
    except Exception:
        return "decorator"


def _original(value: Any, node: Any, module: types.ModuleType, qualname: str) -> Callable | None:
    """The undecorated function of a ``def``: what ``inspect.unwrap`` reaches, a function of that name in
    the decorator's closure, or the ``def`` compiled again without its decorators, in the module's globals."""
    def is_it(candidate: Any) -> bool:
        return inspect.isfunction(candidate) and candidate.__code__.co_name == node.name \
            and candidate.__module__ == module.__name__

    try:
        inner = inspect.unwrap(value)
    except Exception:
        inner = value
    if is_it(inner):
        return inner
    for cell in getattr(inner, "__closure__", None) or ():
        try:
            content = cell.cell_contents
        except ValueError:
            continue
        if is_it(content):
            return content
    bare = copy.deepcopy(node)
    bare.decorator_list = []
    try:
        code = compile(ast.Module(body=[bare], type_ignores=[]), module.__file__, "exec")
        namespace: dict[str, Any] = {}
        exec(code, vars(module), namespace)  # the def alone, bound in a namespace of its own
        function = namespace[node.name]
        function.__qualname__ = qualname
        return function
    except Exception:  # a def that does not compile or run alone: nothing to read its arguments from
        return None


def _without_first(function: Callable) -> Callable:
    """A stand-in with ``function``'s signature less its first parameter (``self``/``cls``), for roles."""
    signature = inspect.signature(function)
    stand_in = lambda *args, **kwargs: None  # noqa: E731 -- only its signature is read
    stand_in.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])
    stand_in.__wrapped__ = function  # its code, for the readers of the source (an encoder output's cut)
    return stand_in


def _line(function: Callable) -> int:
    code = getattr(inspect.unwrap(function), "__code__", None)
    return code.co_firstlineno if code is not None else 0


# callables


def _callable(owner: Any, name: str, spec: str) -> Callable:
    if inspect.isclass(owner):
        raw = inspect.getattr_static(owner, name)
        if isinstance(raw, (staticmethod, classmethod)):
            return getattr(owner, name)
        if inspect.isfunction(raw):
            return _bound_method(owner, raw, spec)
        value = getattr(owner, name)
    else:
        value = getattr(owner, name)
    if inspect.isclass(value):
        return _instance_call(value, spec)
    if _is_torch_module(type(value)):
        return value.forward
    if not callable(value):
        raise UsageError(f"{spec} is a {type(value).__name__}, not a function")
    return value


def _bound_method(cls: type, function: Callable, spec: str) -> Callable:
    if not _uses_first_argument(function):
        return types.MethodType(function, _unbuilt(cls))
    return types.MethodType(function, _instance(cls, spec, f"{function.__name__} uses self, and "))


def _instance_call(cls: type, spec: str) -> Callable:
    instance = _instance(cls, spec, "")
    if _is_torch_module(cls):
        return instance.forward
    if not callable(instance):
        raise UsageError(f"{spec} is a class whose instances cannot be called; name a method: {spec}.METHOD")
    return instance


def _instance(cls: type, spec: str, why: str) -> Any:
    try:
        return cls()
    except Exception as error:  # the class needs arguments: it cannot be built here
        kind = "a torch nn.Module whose __init__" if _is_torch_module(cls) else "a class whose __init__"
        raise UsageError(f"{spec}: {why}{cls.__name__}() failed ({_first_line(error)}); {cls.__name__} is "
                         f"{kind} needs arguments: make the function a staticmethod or a module-level "
                         f"function, or give __init__ default arguments") from None


def _uses_first_argument(function: Callable) -> bool:
    """Whether a method reads ``self``: loads it, closes over it, or calls zero-argument ``super()``."""
    code = getattr(inspect.unwrap(function), "__code__", None)
    if code is None or code.co_argcount == 0:
        return code is None
    first = code.co_varnames[0]
    if first in code.co_cellvars or "__class__" in code.co_freevars:
        return True
    for instruction in dis.get_instructions(code):
        if instruction.opname.startswith(("LOAD_FAST", "LOAD_CLOSURE", "DELETE_FAST")):
            value = instruction.argval
            if value == first or (isinstance(value, tuple) and first in value):
                return True
    return False


def _unbuilt(cls: type) -> Any:
    """An instance whose ``__init__`` never ran (its type still tells which framework it belongs to)."""
    try:
        instance = cls.__new__(cls)
    except Exception:
        return _Unbuilt(cls)
    return instance if isinstance(instance, cls) else _Unbuilt(cls)


class _Unbuilt:
    """``self`` for a method that never reads it, of a class that is not built here."""

    def __init__(self, cls: type):
        object.__setattr__(self, "_cls", cls)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"mathcheck did not build a {object.__getattribute__(self, '_cls').__name__}: "
                             f"the method was expected not to use self.{name}")

    def __repr__(self) -> str:
        return f"<unbuilt {object.__getattribute__(self, '_cls').__name__}>"


def _is_torch_module(cls: type) -> bool:
    return any(base.__module__.startswith("torch.nn") and base.__name__ == "Module" for base in cls.__mro__)


# importing


def _import_file(path: Path, shown: str) -> types.ModuleType:
    root, package = _package_of(path)
    search = [str(path.parent)] + ([str(root)] if package else [])
    with _importing([str(path)], search):
        name = _module_name(path, package)
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise UsageError(f"cannot import {shown}: not a Python source file")
        module = importlib.util.module_from_spec(spec)
        module.__mathcheck_spec__ = shown
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except SyntaxError as error:
            del sys.modules[name]
            raise UsageError(f"error importing {shown}: {_syntax_error(error)}") from None
        except SystemExit as error:
            del sys.modules[name]
            raise UsageError(f"error importing {shown}: it exited ({_first_line(error)}) while being imported;"
                             " put its script code under `if __name__ == \"__main__\":`") from None
        except KeyboardInterrupt as error:
            del sys.modules[name]
            if not is_users_interrupt(error):
                raise  # Ctrl-C
            raise UsageError(f"error importing {shown}: it raised KeyboardInterrupt while being imported") from None
        except Exception as error:
            del sys.modules[name]
            raise UsageError(f"error importing {shown}: {_first_line(error)}") from None
    return module


def _package_of(path: Path) -> tuple[Path, str]:
    """The folder above the outermost package holding ``path``, and the package's dotted name ("" if none)."""
    parts: list[str] = []
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.name.isidentifier():
        parts.insert(0, folder.name)
        folder = folder.parent
    return folder, ".".join(parts)


def _module_name(path: Path, package: str) -> str:
    """A fresh module name; inside the file's package when that package imports from the file's own
    folder, so that its relative imports work."""
    unique = f"_mathcheck_target_{''.join(c if c.isalnum() else '_' for c in path.stem)}_{next(_counter)}"
    if package:
        try:
            parent = importlib.import_module(package)
        except (Exception, SystemExit):
            return unique
        folders = {Path(folder).resolve() for folder in getattr(parent, "__path__", None) or ()}
        if path.parent in folders:
            return f"{package}.{unique}"
    return unique


@contextlib.contextmanager
def _importing(argv: list[str], search: list[str]) -> Iterator[None]:
    """While a user's module is imported: its folders first on sys.path, argv its own, prints on stderr, and
    no ``__pycache__`` written beside the user's files (a check leaves their folders as it found them)."""
    saved_path, saved_argv, saved_bytecode = list(sys.path), sys.argv, sys.dont_write_bytecode
    sys.path[:0] = search
    sys.argv = argv
    sys.dont_write_bytecode = True
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.path[:] = saved_path
        sys.argv = saved_argv
        sys.dont_write_bytecode = saved_bytecode


def _unknown_name(owner: Any, name: str, holder: str) -> str:
    public = [key for key in dir(owner) if not key.startswith("__")]
    if isinstance(owner, types.ModuleType):
        public = [key for key in public if callable(getattr(owner, key, None))
                  and not isinstance(getattr(owner, key, None), types.ModuleType)]
    close = difflib.get_close_matches(name, public, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else (
        f"; it has: {', '.join(sorted(public)[:10])}{', ...' if len(public) > 10 else ''}" if public else "")
    return f"{holder.rstrip(':')} has no {name!r}{hint}"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__


def _syntax_error(error: SyntaxError) -> str:
    where = Path(error.filename).name if error.filename else "?"
    line = f", line {error.lineno}" if error.lineno else ""
    return f"{type(error).__name__}: {error.msg} ({where}{line})"


__all__ = ["Target", "load_targets", "source_location", "FORMS"]
