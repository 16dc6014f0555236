"""What every helper process of the pipeline (ingest readers, processing examiners) does when it starts."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import threading
import time


def end_with_parent() -> None:
    """A helper process whose parent was killed ends too (a batch it was writing is rolled back whole), never an
    orphan.

    On Linux the kernel kills it with its parent; elsewhere a thread notices the parent is gone within half a second.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(1, signal.SIGKILL) == 0:  # PR_SET_PDEATHSIG
            return
    except (OSError, AttributeError):
        pass
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
