"""The run's settings from the environment, read without importing Prefect.

The command line (``flows.cli``) checks them before Prefect starts, so a bad
value is one located line in under a second; the flow (``flows.build``) reads
the same functions when it is imported and when it runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from confdata.run.state import BadSetting

# The whole run's time budget. A scheduled run that hangs (a stuck network mount, say)
# ends TimedOut instead of blocking the next day's run. Read when flows.build is
# imported, so it also applies to runs a served deployment starts in a subprocess.
TIMEOUT_ENV = "CONFDATA_FLOW_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 3600


def flow_timeout_seconds(environ: Mapping[str, str] = os.environ) -> int:
    """Return the flow's timeout: ``$CONFDATA_FLOW_TIMEOUT_SECONDS``, else one hour.

    Raises:
        BadSetting: (a ``ValueError``) When the variable is set but is not a
            positive whole number; the message names it and quotes the value.
    """
    text = environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = int(text)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise BadSetting(TIMEOUT_ENV, "a positive whole number of seconds", text)
    return seconds


def flow_timeout_at_import(environ: Mapping[str, str] = os.environ) -> int:
    """Return the timeout the flow is declared with: a bad value is the default here.

    The value is read when ``flows.build`` is imported (Prefect's ``@flow``
    takes it then). A bad one must not make that import fail with a
    traceback: it is refused, one located line, by the command line before
    Prefect starts and by the flow when it runs (:func:`flow_timeout_seconds`).
    """
    try:
        return flow_timeout_seconds(environ)
    except BadSetting:
        return DEFAULT_TIMEOUT_SECONDS
