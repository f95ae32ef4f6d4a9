#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image from the bundle
# (unpacked in /autograder/source; AUTOGRADER_SOURCE moves it, to try the bundle elsewhere).
# It installs what `./workbook grade` needs through the workbook's own driver (apt-get on
# Ubuntu or Debian; python3 first, when the image lacks it), checks the versions the workbook
# needs, and creates the unprivileged user run_autograder grades as.
set -euo pipefail
source_dir=${AUTOGRADER_SOURCE:-/autograder/source}
tree=$source_dir/tree
export DEBIAN_FRONTEND=noninteractive

"$tree/workbook" setup --grading

# Ubuntu 22.04 (Gradescope's default base image) has CMake 3.22 and Python 3.10: too old.
python3 - <<'PY'
import re, subprocess, sys
problems = []
if sys.version_info < (3, 11):
    problems.append(f"Python {sys.version.split()[0]} (3.11 or later reads labs.toml)")
out = subprocess.run(["cmake", "--version"], capture_output=True, text=True).stdout
m = re.search(r"(\d+)\.(\d+)", out)
if not m or (int(m.group(1)), int(m.group(2))) < (3, 25):
    problems.append(f"CMake {m.group(0) if m else '?'} (3.25 or later builds the workbook)")
if problems:
    sys.exit("setup.sh: this image is too old for the workbook: " + "; ".join(problems) +
             ". Choose the Ubuntu 24.04 base image (or Debian 12 or later).")
PY

if ! id workbook-grader >/dev/null 2>&1; then
  useradd --system --create-home --shell /usr/sbin/nologin workbook-grader
fi
echo "setup.sh: ready to grade $(cat "$tree/.workbook-handout")"
