"""shadow: execute an agent's infrastructure change against a clone of production first.

The package is called ``harness``; the command is ``shadow``. See DESIGN.md for the
flow (capture -> seed -> execute -> diff -> match -> promote).
"""

__version__ = "0.1.0"
