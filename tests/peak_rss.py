"""Runs a command and records its peak memory.

Usage: PEAK_RSS_FILE=F peak_rss.py COMMAND [ARGS...]

Runs COMMAND with this process's standard streams and environment, writes
the child's maximum resident set size in KiB (getrusage's ru_maxrss) to F,
and exits with the child's exit code.
"""

import os
import resource
import subprocess
import sys


def main():
    out = os.environ.pop("PEAK_RSS_FILE")
    code = subprocess.run(sys.argv[1:]).returncode
    with open(out, "w") as f:
        f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
    sys.exit(code)


if __name__ == "__main__":
    main()
