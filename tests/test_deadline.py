"""A time bound's expiry is never raised inside a garbage-collector callback (hypothesis registers one), where
Python would print it as an unraisable exception and drop it: it is raised a moment later, in the bounded code."""
import gc
import sys
import time

import pytest

from mathcheck.deadline import SymbolicTimeout, time_limit

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGALRM")


def test_an_expiry_during_a_gc_callback_is_raised_after_it_in_the_bounded_code():
    unraisable = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append

    def slow_callback(phase, info):
        if phase == "start":
            time.sleep(0.15)  # the bound expires in here

    gc.callbacks.append(slow_callback)
    try:
        with pytest.raises(SymbolicTimeout):
            with time_limit(0.05):
                gc.collect()
                while True:
                    time.sleep(0.01)
    finally:
        gc.callbacks.remove(slow_callback)
        sys.unraisablehook = hook
    assert unraisable == []
