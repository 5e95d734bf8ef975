"""What installing the `align` extra changed in an environment with Colab's versions (make test-colab).

    python tests/colab_moves.py before.txt after.txt

Reads two `pip freeze` outputs; prints the packages added and the ones whose version changed; fails when a package
other than those the extra must move changed, or when one went down. The moves are the smallest step TRL allows on
Colab's 2026-08 runtime (helpers.config.EXTRAS["align"]["colab_bound"] says why); a new Colab freeze that moves more
means the bound, this list and the lesson's text need a look.
"""

import sys
from pathlib import Path

from packaging.version import Version

EXPECTED_MOVES = {"datasets", "pyarrow"}  # datasets to TRL's range below 5; pyarrow to what that datasets needs


def versions(path):
    found = {}
    for line in Path(path).read_text().splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
            found[name.lower().replace("_", "-")] = version
    return found


def main(before_path, after_path):
    before, after = versions(before_path), versions(after_path)
    added = sorted(set(after) - set(before))
    moved = {name: (before[name], after[name]) for name in before if name in after and before[name] != after[name]}
    print("added:", ", ".join(f"{n} {after[n]}" for n in added) or "none")
    print("moved:", ", ".join(f"{n} {a} -> {b}" for n, (a, b) in sorted(moved.items())) or "none")
    down = [name for name, (a, b) in moved.items() if Version(b) < Version(a)]
    unexpected = sorted(set(moved) - EXPECTED_MOVES - {"llm-course"})
    if down or unexpected:
        print(f"the align extra moved more of Colab than it should: down {down}, unexpected {unexpected}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
