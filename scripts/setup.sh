# Shared set-up for scripts/demo, scripts/test and scripts/bench: sourced, not run.
# Installs what is missing on a fresh Debian / Raspberry Pi OS machine: Debian packages
# (with sudo -n when not root), a virtual environment in .venv, and Tourkasse with its extras.
# Prints what it does; does nothing a second time.

set -euo pipefail

TOURKASSE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TOURKASSE_VENV:-$TOURKASSE_ROOT/.venv}"
cd "$TOURKASSE_ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else
    echo "Needs root to run: $*" >&2
    echo "Run it once by hand (or give this user passwordless sudo), then start again." >&2
    exit 1
  fi
}

APT_UPDATED=0
# ensure_debs PACKAGE... : install the Debian packages that are not installed yet.
ensure_debs() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing packages ${missing[*]} and no apt-get: please install them." >&2
    exit 1
  fi
  say "Installing Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

find_python() {
  for candidate in "${TOURKASSE_PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

ensure_venv() {
  local python
  if ! python="$(find_python)"; then
    ensure_debs python3
    python="$(find_python)" || { echo "Tourkasse needs Python 3.11 or newer." >&2; exit 1; }
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
      ensure_debs python3-venv
    fi
    say "Creating the virtual environment in $VENV"
    "$python" -m venv "$VENV"
  fi
  # Reinstall only when pyproject.toml changed since the last install.
  local stamp="$VENV/.tourkasse-installed"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "Installing Tourkasse and its Python packages into $VENV"
    local log="$VENV/install.log"
    if ! { "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip &&
           "$VENV/bin/python" -m pip install --disable-pip-version-check -e ".[hub,dev]"; } >"$log" 2>&1; then
      tail -30 "$log" >&2
      echo "Installing the Python packages failed; the whole log is in $log" >&2
      exit 1
    fi
    echo "$want" > "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}
