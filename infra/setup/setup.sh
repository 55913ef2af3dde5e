#!/usr/bin/env bash
# Brings a fresh Debian 12/13 machine with Node 20+ to the point where LAG runs (`run`) or its
# test suite runs (`test`). Idempotent: every step checks first and does nothing when satisfied,
# so `npm start` and `npm test` call it every time at almost no cost.
set -euo pipefail

mode=${1:-run}
root=$(cd "$(dirname "$0")/../.." && pwd)
tools="$root/.tools"
PNPM_VERSION=$(node -p "require('$root/package.json').packageManager.split('@')[1]")
NATS_MIN=2.10.0

log() { printf '\033[2m[setup]\033[0m %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo "$@"; else return 1; fi; }
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

apt_updated=0
apt_install() { # installs the Debian packages not yet installed
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ $apt_updated = 0 ]; then as_root apt-get -qq update; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get -qq install -y --no-install-recommends "${missing[@]}" >/dev/null
}

# Debian 12 ships nats-server 2.9 and restic 0.14; Debian 13 (trixie) has the versions we support.
# Their binaries run on Debian 12, so we unpack them into .tools without touching the system.
# fetch_deb <suite> <package> <binary path inside the .deb> <destination file>
fetch_deb() {
  local suite=$1 pkg=$2 path=$3 dest=$4 d src list
  d=$(mktemp -d)
  mkdir -p "$d/lists/partial" "$(dirname "$dest")"
  # The machine's own archive, with its release name swapped for the wanted one.
  local swap="s/\b(bookworm|trixie)\b/$suite/g; s/(bookworm|trixie)-/$suite-/g"
  if [ "$suite" = sid ]; then
    # unstable has no -updates or -security suites: its main archive alone, from the machine's mirror.
    local uri
    uri=$(grep -hoE '(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}' || true)
    list="$d/sid.sources"
    printf 'Types: deb\nURIs: %s\nSuites: sid\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "${uri:-http://deb.debian.org/debian}" > "$list"
  elif [ -f /etc/apt/sources.list.d/debian.sources ]; then
    list="$d/$suite.sources"; sed -E "$swap" /etc/apt/sources.list.d/debian.sources > "$list"
  else
    list="$d/$suite.list"; sed -E "$swap" /etc/apt/sources.list > "$list"
  fi
  local o=(-o APT::Sandbox::User=root -o "Dir::Etc::sourcelist=$list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$d/lists")
  log "downloading $pkg from Debian $suite into ${dest#"$root"/}"
  apt-get -qq "${o[@]}" update >/dev/null
  (cd "$d" && apt-get -qq "${o[@]}" download "$pkg" >/dev/null)
  dpkg-deb -x "$d"/"$pkg"_*.deb "$d/root"
  cp "$d/root/$path" "$dest"
  rm -rf "$d"
}

ensure_pnpm() {
  if have pnpm && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then return; fi
  log "installing pnpm $PNPM_VERSION"
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || as_root npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
}

ensure_js_deps() {
  local stamp="$root/node_modules/.lag-install-stamp"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$root/pnpm-lock.yaml" ] && [ "$stamp" -nt "$root/package.json" ]; then return; fi
  log "installing JS dependencies (pnpm install)"
  (cd "$root" && pnpm install --frozen-lockfile --reporter=silent)
  touch "$stamp"
}

nats_version() { "$1" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1; }

ensure_nats() {
  local bin
  for bin in "$tools/bin/nats-server" "$(command -v nats-server || true)"; do
    [ -n "$bin" ] && [ -x "$bin" ] && version_ge "$(nats_version "$bin")" "$NATS_MIN" && return 0
  done
  fetch_deb trixie nats-server usr/sbin/nats-server "$tools/bin/nats-server"
}

ensure_restic() {
  local bin
  for bin in "$tools/bin/restic" "$(command -v restic || true)"; do
    [ -n "$bin" ] && [ -x "$bin" ] && version_ge "$("$bin" version 2>/dev/null | awk '{print $2}')" 0.18.0 && return 0
  done
  fetch_deb trixie restic usr/bin/restic "$tools/bin/restic"
}

ensure_dockerd() {
  apt_install docker.io busybox-static
  if docker info >/dev/null 2>&1; then return; fi
  log "starting dockerd"
  as_root sh -c 'nohup dockerd >/var/log/lag-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && return 0; sleep 0.5; done
  log "dockerd did not start; see /var/log/lag-dockerd.log"; return 1
}

ensure_pnpm
ensure_js_deps
ensure_nats
# The backup worker runs restic ≥ 0.18 (JSON errors, --stdin-from-command): npm start needs it too.
ensure_restic
# The test of the server-version check needs a server that is too old: Debian 12's own 2.9.
ensure_old_nats() {
  local bin="$tools/old/nats-server-2.9"
  [ -x "$bin" ] && return 0
  fetch_deb bookworm nats-server usr/sbin/nats-server "$bin"
}

# The backup tests keep a second repository on a real restic REST server (Debian 13's package).
ensure_rest_server() {
  [ -x "$tools/bin/rest-server" ] && return 0
  fetch_deb trixie restic-rest-server usr/bin/restic-rest-server "$tools/bin/rest-server"
}

# The subscription tests read RDAP from ICANN's own server (Debian unstable's package; runs on 12).
ensure_rdap_server() {
  [ -x "$tools/bin/rdap-srv" ] && return 0
  fetch_deb sid icann-rdap-srv usr/bin/rdap-srv "$tools/bin/rdap-srv"
}

if [ "$mode" = test ]; then
  ensure_old_nats
  ensure_rest_server
  ensure_rdap_server
  apt_install dnsmasq iputils-ping openssl
  # The mail tests run a real IMAP/LMTP server (dovecot); the digest is looked at in headless Chromium.
  apt_install dovecot-imapd dovecot-lmtpd chromium
  # The image-update checks are tested against a real registry (distribution 2.8, run from a config in a temp folder).
  apt_install docker-registry
  # NAS targets are read over SSH from a real sshd (run from a config in a temp folder); pgrep ends its sessions.
  apt_install openssh-server procps
  ensure_dockerd
fi
