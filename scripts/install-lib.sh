# Shared steps of scripts/install-truck and scripts/install-hub: sourced, not run.
#
# Every step looks first and changes only what differs, and says so in German, one line per
# thing ("angelegt", "ersetzt", "unverändert", …). A second run therefore writes nothing: no file
# is rewritten and no time stamp is touched. At the end tk_summary says how much changed.
#
# TK_ROOT is the install prefix ("" = this machine). In a prefix every path is written below
# it, users are made with `systemd-sysusers --root`, units enabled with `systemctl --root`,
# Debian packages are only checked on this machine, and nothing is started or restarted.
#
# The function names are an interface: install-hub uses them too. Keep them stable.

set -euo pipefail

TK_ROOT="${TK_ROOT:-}"
TK_CHANGES=0           # how many things this run changed
TK_UNCHANGED=0         # how many it found as they should be
TK_NOTES=()            # what the user still has to do or know, repeated at the end
TK_APT_UPDATED=0

# --- saying what happens -------------------------------------------------------------------

tk_step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# tk_report STATE WHAT: one line per thing; STATE is a German word such as angelegt.
tk_report() {
  local state="$1"
  shift
  local label="$state:"
  # padded by characters, not bytes (ä, ü)
  printf '    %s%*s %s\n' "$label" $((14 - ${#label})) '' "$*"
  case "$state" in
    unverändert | vorhanden | übersprungen | geprüft) TK_UNCHANGED=$((TK_UNCHANGED + 1)) ;;
    *) TK_CHANGES=$((TK_CHANGES + 1)) ;;
  esac
}

tk_note() { TK_NOTES+=("$*"); printf '    Hinweis:       %s\n' "$*"; }

tk_fail() { printf 'Fehler: %s\n' "$1" >&2; exit "${2:-1}"; }

# tk_usage_error MESSAGE USAGE_TEXT: a wrong call; exit code 2.
tk_usage_error() { printf 'Fehler: %s\n\n%s\n' "$1" "$2" >&2; exit 2; }

tk_summary() {
  tk_step "Zusammenfassung"
  if [ "$TK_CHANGES" -eq 0 ]; then
    echo "    Nichts geändert: alles war schon so eingerichtet ($TK_UNCHANGED Punkte geprüft)."
  else
    echo "    $TK_CHANGES Änderung(en), $TK_UNCHANGED Punkt(e) unverändert."
  fi
  local note
  for note in "${TK_NOTES[@]+"${TK_NOTES[@]}"}"; do echo "    Hinweis: $note"; done
}

# --- where things go -----------------------------------------------------------------------

tk_path() { printf '%s%s' "$TK_ROOT" "$1"; }   # tk_path /etc/x → the file in the prefix
tk_in_prefix() { [ -n "$TK_ROOT" ]; }

# True when this machine's systemd can be talked to (not a prefix, not a chroot, systemd is
# PID 1): only then are units reloaded and services restarted.
tk_systemd_running() {
  tk_in_prefix && return 1
  [ -d /run/systemd/system ] || return 1
  if command -v systemd-detect-virt >/dev/null 2>&1 && systemd-detect-virt --chroot >/dev/null 2>&1; then
    return 1
  fi
  return 0
}

# tk_need_root: as root on this machine, or else re-run the whole script with sudo.
# Usage: tk_need_root "$0" "$@"
tk_need_root() {
  [ "$(id -u)" -eq 0 ] && return 0
  # sudo only where it can ask for a password (a terminal) or needs none; otherwise it would
  # fail with its own English words
  if command -v sudo >/dev/null 2>&1 && { [ -t 0 ] || sudo -n true 2>/dev/null; }; then
    exec sudo -- "$@"
  fi
  tk_fail "Die Einrichtung braucht Administratorrechte. Bitte als root starten: sudo $*"
}

# --- Debian packages -----------------------------------------------------------------------

tk_deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# tk_debs PACKAGE...: installs with apt the ones that are missing (on this machine). In a
# prefix only checks them here and names the missing ones: the prefix has no apt of its own.
tk_debs() {
  local pkg missing=()
  for pkg in "$@"; do
    if tk_deb_installed "$pkg"; then tk_report vorhanden "Paket $pkg"; else missing+=("$pkg"); fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if tk_in_prefix; then
    for pkg in "${missing[@]}"; do tk_report übersprungen "Paket $pkg (fehlt auf diesem Rechner; in $TK_ROOT werden keine Pakete installiert)"; done
    tk_note "Im Zielsystem nachinstallieren: apt install ${missing[*]}"
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || tk_fail "Es fehlen die Pakete ${missing[*]}, und apt-get gibt es hier nicht."
  if [ "$TK_APT_UPDATED" -eq 0 ]; then
    echo "    apt-get update …"
    apt-get update -qq || tk_fail "apt-get update ging nicht (Netz?). Ohne Paketquellen lassen sich ${missing[*]} nicht installieren."
    TK_APT_UPDATED=1
  fi
  echo "    apt-get install ${missing[*]} …"
  local log
  log="$(mktemp /tmp/tourkasse-apt-XXXXXX.log)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    tail -20 "$log" >&2
    tk_fail "Die Pakete ${missing[*]} ließen sich nicht installieren (ganzes Protokoll: $log)."
  fi
  rm -f "$log"
  for pkg in "${missing[@]}"; do tk_report installiert "Paket $pkg"; done
}

# --- users ---------------------------------------------------------------------------------

# tk_uid_gid USER: "uid:gid" of USER as the prefix's /etc/passwd has it (numbers, so that a
# prefix gets its own user's ids, not this machine's).
tk_uid_gid() {
  awk -F: -v u="$1" '$1 == u { print $3 ":" $4; found = 1 } END { exit !found }' "$(tk_path /etc/passwd)" 2>/dev/null
}

# tk_sysusers CONF NAME: installs CONF as /usr/lib/sysusers.d/NAME.conf and lets
# systemd-sysusers make what it declares; sysusers itself changes nothing that is already there.
tk_sysusers() {
  local conf="$1" name="$2" user
  tk_file "$conf" "/usr/lib/sysusers.d/$name.conf" 0644
  local passwd group said
  passwd="$(tk_path /etc/passwd)"
  group="$(tk_path /etc/group)"
  local before after
  before="$(stat -c %Y:%s "$passwd" "$group" 2>/dev/null || true)"
  mkdir -p "$(tk_path /etc)"
  if tk_in_prefix; then
    said="$(systemd-sysusers --root="$TK_ROOT" "$(tk_path "/usr/lib/sysusers.d/$name.conf")" 2>&1)" ||
      tk_fail "systemd-sysusers: $said"
  else
    said="$(systemd-sysusers "/usr/lib/sysusers.d/$name.conf" 2>&1)" || tk_fail "systemd-sysusers: $said"
  fi
  after="$(stat -c %Y:%s "$passwd" "$group" 2>/dev/null || true)"
  for user in $(awk '$1 == "u" { print $2 }' "$conf"); do
    tk_uid_gid "$user" >/dev/null || tk_fail "systemd-sysusers hat den Benutzer $user nicht angelegt."
    if [ "$before" = "$after" ]; then
      tk_report vorhanden "Systembenutzer $user ($(tk_uid_gid "$user"))"
    else
      tk_report angelegt "Systembenutzer $user ($(tk_uid_gid "$user"))"
    fi
  done
}

# --- files and folders ---------------------------------------------------------------------

# tk_owner_ok PATH OWNER: OWNER is "" (leave as is), or USER:GROUP of the prefix's users.
tk_owner_ids() {
  local owner="$1" user group uid gid
  user="${owner%%:*}"
  group="${owner#*:}"
  # root is 0 everywhere, even in a prefix whose /etc/passwd has only our user
  if [ "$user" = root ]; then uid=0; else
    uid="$(tk_uid_gid "$user")" || tk_fail "Benutzer $user gibt es (noch) nicht in $(tk_path /etc/passwd)."
  fi
  if [ "$group" = root ]; then gid=0; else
    gid="$(awk -F: -v g="$group" '$1 == g { print $3; found = 1 } END { exit !found }' "$(tk_path /etc/group)" 2>/dev/null)" ||
      tk_fail "Gruppe $group gibt es (noch) nicht in $(tk_path /etc/group)."
  fi
  printf '%s:%s' "${uid%%:*}" "$gid"
}

# A folder outside the target for what is compared before anything is written: writing a
# temporary file beside the target would touch its folder's time stamp even when nothing changes.
TK_STAGE="$(mktemp -d /tmp/tourkasse-install-XXXXXX)"
trap 'rm -rf "$TK_STAGE"' EXIT

# _tk_put_file STAGED DEST MODE OWNER: put the prepared STAGED into place as DEST, reporting.
_tk_put_file() {
  local staged="$1" dest="$2" mode="$3" owner="$4" target ids="" tmp
  target="$(tk_path "$dest")"
  [ -n "$owner" ] && ids="$(tk_owner_ids "$owner")"
  if [ -f "$target" ] && [ ! -L "$target" ] && cmp -s "$staged" "$target" &&
     [ "$(stat -c %a "$target")" = "${mode#0}" ] &&
     { [ -z "$ids" ] || [ "$(stat -c %u:%g "$target")" = "$ids" ]; }; then
    rm -f "$staged"
    tk_report unverändert "$dest"
    return 0
  fi
  local state=angelegt
  [ -e "$target" ] && state=ersetzt
  mkdir -p "$(dirname "$target")"
  # beside the target, then renamed: whole or not at all, never half written
  tmp="$(mktemp "$target.tourkasse-XXXXXX")"
  cat "$staged" >"$tmp"
  rm -f "$staged"
  chmod "$mode" "$tmp"
  [ -n "$ids" ] && chown "$ids" "$tmp"
  mv -f "$tmp" "$target"
  tk_report "$state" "$dest"
}

# tk_file SRC DEST MODE [USER:GROUP]: DEST (a path on the target system) gets SRC's content.
tk_file() {
  local src="$1" dest="$2" mode="$3" owner="${4:-}" staged
  staged="$(mktemp "$TK_STAGE/file-XXXXXX")"
  cat "$src" >"$staged"
  _tk_put_file "$staged" "$dest" "$mode" "$owner"
}

# tk_text DEST MODE [USER:GROUP] <<<CONTENT: like tk_file with the content from stdin.
tk_text() {
  local dest="$1" mode="$2" owner="${3:-}" staged
  staged="$(mktemp "$TK_STAGE/file-XXXXXX")"
  cat >"$staged"
  _tk_put_file "$staged" "$dest" "$mode" "$owner"
}

# tk_temp: a temporary file that is removed at the end (for content made by the script).
tk_temp() { mktemp "$TK_STAGE/made-XXXXXX"; }

# tk_file_once SRC DEST MODE [USER:GROUP]: only when DEST is missing. A file the user has
# (perhaps edited) is never touched: their settings win.
tk_file_once() {
  local src="$1" dest="$2"
  if [ -e "$(tk_path "$dest")" ]; then
    tk_report vorhanden "$dest (eigene Einstellungen, nicht angetastet)"
    return 0
  fi
  tk_file "$@"
}

# tk_dir DIR MODE [USER:GROUP]: a folder with this mode and owner.
tk_dir() {
  local dir="$1" mode="$2" owner="${3:-}" target ids=""
  target="$(tk_path "$dir")"
  [ -n "$owner" ] && ids="$(tk_owner_ids "$owner")"
  if [ -d "$target" ]; then
    local changed=0
    if [ "$(stat -c %a "$target")" != "${mode#0}" ]; then chmod "$mode" "$target"; changed=1; fi
    if [ -n "$ids" ] && [ "$(stat -c %u:%g "$target")" != "$ids" ]; then chown "$ids" "$target"; changed=1; fi
    if [ "$changed" -eq 1 ]; then tk_report angepasst "$dir (Rechte $mode${owner:+, $owner})"; else tk_report unverändert "$dir"; fi
    return 0
  fi
  mkdir -p "$target"
  chmod "$mode" "$target"
  [ -n "$ids" ] && chown "$ids" "$target"
  tk_report angelegt "$dir (Rechte $mode${owner:+, $owner})"
}

# tk_link LINK TARGET: LINK (a path on the target) is a symbolic link to TARGET.
tk_link() {
  local link="$1" target="$2" path
  path="$(tk_path "$link")"
  if [ -L "$path" ] && [ "$(readlink "$path")" = "$target" ]; then
    tk_report unverändert "$link → $target"
    return 0
  fi
  [ -e "$path" ] && [ ! -L "$path" ] && tk_fail "$link gibt es schon und ist kein Verweis: bitte wegräumen, dann erneut."
  mkdir -p "$(dirname "$path")"
  ln -sfn "$target" "$path"
  tk_report angelegt "$link → $target"
}

# --- the virtual environment with Tourkasse ------------------------------------------------

# tk_source_hash SRC: a hash over what makes up the installed Tourkasse (pyproject.toml,
# README.md and the packages' files, not caches): equal hash, equal install.
tk_source_hash() {
  local src="$1"
  (
    cd "$src"
    find pyproject.toml README.md tourkasse truck hub -type f \
      ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  ) | sha256sum | cut -d' ' -f1
}

# tk_find_python: Debian's python3 (3.11 or newer), the one the venv is built on.
tk_find_python() {
  local candidate
  for candidate in /usr/bin/python3 "$(command -v python3 || true)"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null &&
      { echo "$candidate"; return 0; }
  done
  return 1
}

# tk_venv VENV SRC EXTRAS WHEELS: VENV (a path on the target) holds Tourkasse from the
# checkout SRC, not editable, with EXTRAS ("" or e.g. "hub"). Skipped when the stamp says the
# same source, extras and Python are installed. WHEELS: "" (from the package index) or a
# folder of wheels to install from without network (pip wheel -w DIR ".[EXTRAS]").
# Sets TK_VENV_CHANGED=1 when it installed.
TK_VENV_CHANGED=0
tk_venv() {
  local venv="$1" src="$2" extras="$3" wheels="${4:-}" target python want stamp
  target="$(tk_path "$venv")"
  python="$(tk_find_python)" || tk_fail "Tourkasse braucht Python 3.11 oder neuer (Paket python3)."
  want="source=$(tk_source_hash "$src") extras=$extras python=$("$python" -c 'import sys; print(sys.version.split()[0])')"
  stamp="$target/.tourkasse-source"
  if [ -x "$target/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    tk_report unverändert "$venv (Tourkasse $("$target/bin/python" -I -c 'from importlib.metadata import version; print(version("tourkasse"))' 2>/dev/null || echo '?'), Quelle gleich)"
    return 0
  fi
  local state=aktualisiert
  if [ ! -x "$target/bin/python" ]; then
    state=angelegt
    mkdir -p "$(dirname "$target")"
    "$python" -m venv "$target" || tk_fail "Die virtuelle Umgebung $venv ließ sich nicht anlegen (Paket python3-venv?)."
  fi
  # Built from a clean copy of the source, so that the build writes nothing into the checkout.
  local build log
  build="$(mktemp -d "$TK_STAGE/build-XXXXXX")"
  log="$(mktemp /tmp/tourkasse-pip-XXXXXX.log)"  # kept when pip fails
  tar -C "$src" --exclude=__pycache__ --exclude='*.pyc' -cf - pyproject.toml README.md tourkasse truck hub |
    tar -C "$build" -xf -
  local spec="$build"
  [ -n "$extras" ] && spec="$build[$extras]"
  local pip=("$target/bin/python" -m pip install --disable-pip-version-check --no-input --upgrade)
  if [ -n "$wheels" ]; then pip+=(--no-index --find-links "$wheels"); fi
  echo "    pip install Tourkasse${extras:+[$extras]} nach $venv …"
  if ! "${pip[@]}" "$spec" >"$log" 2>&1; then
    tail -20 "$log" >&2
    rm -rf "$build"
    tk_fail "Tourkasse ließ sich nicht in $venv installieren (ganzes Protokoll: $log)."
  fi
  rm -rf "$build" "$log"
  printf '%s\n' "$want" >"$stamp"
  TK_VENV_CHANGED=1
  tk_report "$state" "$venv (Tourkasse $("$target/bin/python" -I -c 'from importlib.metadata import version; print(version("tourkasse"))'))"
}

# --- systemd -------------------------------------------------------------------------------

tk_systemctl() {
  if tk_in_prefix; then systemctl --root="$TK_ROOT" "$@"; else systemctl "$@"; fi
}

# tk_units SRCDIR UNIT...: each unit file from SRCDIR into /etc/systemd/system.
# Sets TK_UNITS_CHANGED=1 when one was new or different.
TK_UNITS_CHANGED=0
tk_units() {
  local srcdir="$1" name before
  shift
  for name in "$@"; do
    before="$TK_CHANGES"
    tk_file "$srcdir/$name" "/etc/systemd/system/$name" 0644
    [ "$TK_CHANGES" -ne "$before" ] && TK_UNITS_CHANGED=1
  done
  return 0
}

# tk_enable UNIT...: enabled (started at boot), when not already.
tk_enable() {
  local name state
  for name in "$@"; do
    state="$(tk_systemctl is-enabled "$name" 2>/dev/null || true)"
    if [ "$state" = enabled ]; then
      tk_report unverändert "$name ist eingeschaltet"
    else
      tk_systemctl enable --quiet "$name"
      tk_report eingeschaltet "$name (startet beim Hochfahren)"
    fi
  done
}

# tk_mask UNIT...: can never be started (e.g. ctrl-alt-del.target).
tk_mask() {
  local name
  for name in "$@"; do
    if [ "$(tk_systemctl is-enabled "$name" 2>/dev/null || true)" = masked ]; then
      tk_report unverändert "$name ist gesperrt"
    else
      tk_systemctl mask --quiet "$name"
      tk_report gesperrt "$name"
    fi
  done
}

tk_set_default() {
  local target="$1" now
  now="$(tk_systemctl get-default 2>/dev/null || true)"
  if [ "$now" = "$target" ]; then
    tk_report unverändert "Startziel $target"
  else
    local said
    if said="$(tk_systemctl set-default "$target" 2>&1)"; then
      tk_report gesetzt "Startziel $target (war: ${now:-keins})"
    elif tk_in_prefix; then
      tk_report übersprungen "Startziel $target: gibt es in $TK_ROOT nicht (systemd nicht installiert?)"
      tk_note "Im Zielsystem: systemctl set-default $target"
    else
      tk_fail "systemctl set-default $target: $said"
    fi
  fi
}

# tk_apply UNIT...: on a running system, reload the units when they changed and restart the
# ones that run, when anything changed (try-restart: a stopped unit stays stopped). In a
# prefix or a chroot: nothing, and says so.
tk_apply() {
  if ! tk_systemd_running; then
    if [ "$TK_CHANGES" -gt 0 ]; then
      tk_report übersprungen "systemd neu laden und Dienste neu starten (kein laufendes systemd: Präfix oder chroot)"
    fi
    return 0
  fi
  if [ "$TK_UNITS_CHANGED" -eq 1 ]; then
    systemctl daemon-reload
    tk_report erledigt "systemctl daemon-reload"
  fi
  if [ "$TK_CHANGES" -gt 0 ]; then
    systemctl try-restart "$@"
    tk_report neugestartet "$* (nur die laufenden)"
  fi
}
