#!/usr/bin/env python
"""Same as the ``nastavnik`` console script."""

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent / "platform"))

from config.cli import main

if __name__ == "__main__":
    main()
