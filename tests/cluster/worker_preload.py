"""Loaded by the test cluster's Dask workers (`dask worker --preload`) to make them unlike
the batch's machine in the ways a real cluster is.

WARGAME_TEST_HIDDEN: a folder the worker cannot read, as a theatre on the user's laptop
is out of a cluster node's reach (an audit hook refuses any open or listing under it).
WARGAME_TEST_OTHER_NUMPY: the worker reports this numpy version, as a node with another
install would.
"""

import os
import sys

HIDDEN = os.environ.get("WARGAME_TEST_HIDDEN")
OTHER_NUMPY = os.environ.get("WARGAME_TEST_OTHER_NUMPY")


def _refuse_hidden(event: str, args: tuple) -> None:
    if event not in ("open", "os.listdir", "os.scandir") or not args:
        return
    path = args[0]
    if isinstance(path, str | bytes | os.PathLike) and os.fsdecode(path).startswith(HIDDEN):
        raise PermissionError(f"{os.fsdecode(path)} is not on this worker")


if HIDDEN:
    sys.addaudithook(_refuse_hidden)

if OTHER_NUMPY:
    from wargame.analysis import environment as _environment

    _real = _environment.environment()
    _environment.environment = lambda: {**_real, "numpy": OTHER_NUMPY}
