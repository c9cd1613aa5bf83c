#!/usr/bin/env bash
# Print the interpreter `make setup` builds .venv with: the first of $PYTHON (if set), python3, python3.12,
# python3.11 on PATH whose version is inside pyproject.toml's requires-python and that can make a venv.
# Says on stderr which one it chose and why others were passed over; exits 1 with the one command to run
# when none fits. Shell only: it runs before any virtualenv exists.
set -euo pipefail
cd "$(dirname "$0")/.."

range=$(sed -n 's/^requires-python *= *"\(.*\)"/\1/p' pyproject.toml)
lower=$(sed -n 's/.*>=\([0-9]*\.[0-9]*\).*/\1/p' <<<"$range")
upper=$(sed -n 's/.*<\([0-9]*\.[0-9]*\).*/\1/p' <<<"$range")
[ -n "$lower" ] && [ -n "$upper" ] || { echo "find-python: cannot read requires-python from pyproject.toml" >&2; exit 1; }

# A candidate's verdict: "ok VERSION", "old VERSION", "new VERSION" or "novenv VERSION" (no ensurepip: Debian's
# python3-venv is missing).
verdict() {
  "$1" - "$lower" "$upper" <<'PY' 2>/dev/null || echo "broken ? $1"
import sys
low, high = (tuple(int(p) for p in v.split(".")) for v in sys.argv[1:3])
version = ".".join(map(str, sys.version_info[:3])) + " " + sys.executable
if sys.version_info[:2] < low:
    print("old", version)
elif sys.version_info[:2] >= high:
    print("new", version)
else:
    try:
        import ensurepip, venv  # noqa: F401  (both are needed by `python -m venv`)
        print("ok", version)
    except ImportError:
        print("novenv", version)
PY
}

if [ -n "${PYTHON:-}" ]; then
  candidates=("$PYTHON")
else
  candidates=(python3 python3.12 python3.11)
fi
novenv=""
seen=" "
for name in "${candidates[@]}"; do
  path=$(command -v "$name" 2>/dev/null) || continue
  real=$(readlink -f "$path")
  case "$seen" in *" $real "*) continue ;; esac
  seen="$seen$real "
  read -r state version executable < <(verdict "$path")
  path=${executable:-$path}  # a pyenv shim or a symlink: name the interpreter itself
  case "$state" in
    ok)
      echo "make: using Python $version ($path) for .venv (requires-python $range)" >&2
      echo "$path"
      exit 0 ;;
    novenv) novenv="$path ($version)"; echo "make: $path is Python $version but cannot make a venv (no ensurepip)" >&2 ;;
    *) echo "make: passing over $path: Python $version is outside $range" >&2 ;;
  esac
done

if [ -n "$novenv" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "make: apt-get install python3-venv (for $novenv)" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; } >&2
    exec "$0"
  fi
  echo "make: $novenv cannot make a virtualenv: run \`sudo apt-get install -y python3-venv\`, then make again" >&2
  exit 1
fi
echo "make: no Python $range found${PYTHON:+ (PYTHON=$PYTHON)}: install one (Debian 12: \`sudo apt-get install -y python3 python3-venv\`) or run \`make PYTHON=/path/to/python3.11\`" >&2
exit 1
