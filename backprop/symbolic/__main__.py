"""`python -m backprop.symbolic`: the `backprop-verify` command (see `backprop.symbolic.verification`)."""

import sys

from backprop.symbolic.verification import main

if __name__ == "__main__":
    sys.exit(main())
