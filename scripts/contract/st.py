"""schemathesis's command line, with its lazily imported ASGI transport imported first.

Imported the first time from two worker threads at once, anyio's lazy importer can fail with
"SystemError: AST constructor recursion depth mismatch" on Python 3.11; importing it here,
before the workers start, avoids that race.
"""

import sys

import schemathesis.transport.asgi
from schemathesis.cli import schemathesis

if __name__ == "__main__":
    sys.exit(schemathesis())
