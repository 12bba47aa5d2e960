"""Time bounds that cannot be lost.

``time_limit(seconds)`` raises :class:`SymbolicTimeout` in the code it bounds once ``seconds`` have passed.
It is a SIGALRM timer armed to *repeat*: a raise that Python swallows (an alarm landing in a weakref
callback, which sympy's caches use, or in a ``finally`` or ``except Exception`` of library code) is raised
again a moment later, and again, until it leaves the bounded block. Bounds nest: an inner bound never
outlives an outer one, and leaving it re-arms the outer one.

Outside the main thread (or where SIGALRM does not exist) no signal can be delivered, and the block runs
unbounded.
"""
from __future__ import annotations

import gc
import math
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

REPEAT_SECONDS = 0.05  # how soon a swallowed expiry is raised again
DEFERRED_SECONDS = 0.005  # how soon an expiry held back during a garbage collection is tried again


class SymbolicTimeout(Exception):
    pass


@dataclass(frozen=True)
class _Bound:
    deadline: float  # time.monotonic() at which the bound expires
    seconds: float  # as requested, for the message


_bounds: list[_Bound] = []  # nested bounds, innermost last
_previous_handler = None


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _expire(signum, frame) -> None:
    if not _bounds:
        return
    bound = _bounds[-1]
    if time.monotonic() < bound.deadline:
        _arm(bound)  # an early or stale signal: wait for the rest of the time
    elif _collecting or _in_gc_callback(frame):
        signal.setitimer(signal.ITIMER_REAL, DEFERRED_SECONDS, REPEAT_SECONDS)  # raised once the collection is over
    else:
        raise SymbolicTimeout(f"no decision within {bound.seconds:g}s")


_collecting = False  # inside a garbage collection (its weakref finalizers and callbacks run there)


def _track_collection(phase: str, info: dict) -> None:
    global _collecting
    _collecting = phase == "start"


def _in_gc_callback(frame, depth: int = 8) -> bool:
    """Whether the signal interrupted a garbage-collector callback (hypothesis keeps one): a raise there, or in
    a finalizer the collection runs, is printed as an unraisable exception and lost, so the repeating timer
    raises it a moment later instead."""
    codes = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    while frame is not None and depth > 0:
        if frame.f_code in codes:
            return True
        frame, depth = frame.f_back, depth - 1
    return False


def _arm(bound: _Bound) -> None:
    remaining = max(bound.deadline - time.monotonic(), 1e-4)
    signal.setitimer(signal.ITIMER_REAL, remaining, REPEAT_SECONDS)


@contextmanager
def _alarm_blocked():
    """SIGALRM held back while the bounds are updated (a raise there would corrupt them)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})


@contextmanager
def time_limit(seconds: float):
    """Raise :class:`SymbolicTimeout` inside the block after ``seconds`` (repeatedly, until it leaves)."""
    if not _usable() or seconds <= 0 or not math.isfinite(seconds):
        yield
        return
    global _previous_handler
    with _alarm_blocked():
        deadline = time.monotonic() + seconds
        if _bounds:
            deadline = min(deadline, _bounds[-1].deadline)
        else:
            _previous_handler = signal.signal(signal.SIGALRM, _expire)
            if _track_collection not in gc.callbacks:
                gc.callbacks.insert(0, _track_collection)  # first: the flag is up before any other callback runs
        _bounds.append(_Bound(deadline, seconds))
        _arm(_bounds[-1])
    try:
        yield
    finally:
        with _alarm_blocked():
            _bounds.pop()
            if _bounds:
                _arm(_bounds[-1])
            else:
                signal.setitimer(signal.ITIMER_REAL, 0)
                if signal.SIGALRM in signal.sigpending():  # fired meanwhile: not for the previous handler
                    signal.sigwait({signal.SIGALRM})
                signal.signal(signal.SIGALRM, _previous_handler or signal.SIG_DFL)
