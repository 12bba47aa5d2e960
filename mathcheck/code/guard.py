"""The user's code runs in mathcheck's own process: while it is loaded and called, ``os._exit`` raises
:class:`ProcessExit` (a ``SystemExit``, reported like ``sys.exit``: the function is undecided, exit 1) instead
of ending the process with no report, and a real Ctrl-C raises :class:`Interrupted`, so that a
``KeyboardInterrupt`` the user's function raises itself is told apart from the user pressing Ctrl-C.
A child process forked meanwhile (a ``multiprocessing`` worker) still exits for real.
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import Any, Iterator, NoReturn


class ProcessExit(SystemExit):
    """The user's code called ``os._exit(status)``."""

    def __str__(self) -> str:
        return f"os._exit({self.code!r})"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C pressed while the checks ran (a ``KeyboardInterrupt``: mathcheck's usual exit 130)."""


def _raise_interrupted(signum: int, frame: Any) -> NoReturn:
    raise Interrupted()


@contextlib.contextmanager
def user_code_guarded() -> Iterator[None]:
    """``os._exit`` raises :class:`ProcessExit` in this process, Ctrl-C raises :class:`Interrupted`."""
    owner, real_exit = os.getpid(), os._exit
    posix = getattr(os, "posix", None) or __import__(os.name)

    def exit_raising(status: int) -> NoReturn:
        if os.getpid() != owner:  # a forked child: its own exit is not the user's function ending the check
            real_exit(status)
        raise ProcessExit(status)

    saved_posix = getattr(posix, "_exit", None)
    os._exit = exit_raising
    if saved_posix is not None:
        posix._exit = exit_raising
    with _interrupts_marked():
        try:
            yield
        finally:
            os._exit = real_exit
            if saved_posix is not None:
                posix._exit = saved_posix


@contextlib.contextmanager
def _interrupts_marked() -> Iterator[None]:
    """Ctrl-C raises :class:`Interrupted` while inside, where the default handler is installed and can be
    replaced (the main thread); a handler of the caller's own is left alone."""
    main = threading.current_thread() is threading.main_thread()
    replace = main and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if replace:
        signal.signal(signal.SIGINT, _raise_interrupted)
        _MARKING.append(True)
    try:
        yield
    finally:
        if replace:
            _MARKING.pop()
            signal.signal(signal.SIGINT, signal.default_int_handler)


_MARKING: list[bool] = []  # one entry per active replacement of the Ctrl-C handler


def is_users_interrupt(error: BaseException) -> bool:
    """A ``KeyboardInterrupt`` raised by the user's code itself, not by Ctrl-C: told apart where Ctrl-C raises
    :class:`Interrupted`, or off the main thread (where no Ctrl-C arrives); otherwise taken as a Ctrl-C."""
    if not isinstance(error, KeyboardInterrupt) or isinstance(error, Interrupted):
        return False
    return bool(_MARKING) or threading.current_thread() is not threading.main_thread()


__all__ = ["ProcessExit", "Interrupted", "user_code_guarded", "is_users_interrupt"]
