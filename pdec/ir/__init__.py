"""The semantic IR (:mod:`pdec.ir.nodes`)."""

from pdec.ir.nodes import *  # noqa: F401,F403
