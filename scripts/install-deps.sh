#!/usr/bin/env bash
# Installs the Debian packages Parley needs to build, test and run, and only those that are missing.
# Idempotent: when everything is present it checks and returns in well under a second.
# Usage: scripts/install-deps.sh [build|all]
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build ccache pkg-config git
  clang-format clang-tidy
  libboost-dev libssl-dev libsqlite3-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libsimdjson-dev
  libargon2-dev python3 python3-yaml
  libhyperscan-dev libcld2-dev libcctz-dev tzdata libgmime-3.0-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libgoogle-perftools-dev
  nodejs npm
  # Real peers the tests run against: an IMAP server, and a browser for the web tests.
  dovecot-imapd curl chromium
)

missing=()
for package in "${build_packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

# Node and npm may come from outside Debian's packages (a machine image); a working binary is enough.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for package in "${missing[@]}"; do
    [[ "$package" == nodejs || "$package" == npm ]] || filtered+=("$package")
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

# npm packages, each folder from its lock file: triage's lexicons (lexicons/package.json; the build
# embeds them), the peers the integration tests run against (tests/integration/package.json) and
# the web app's toolchain and libraries (web/app/package.json).
install_npm_packages() {
  local root folder
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  for folder in lexicons tests/integration web/app; do
    if [[ ! -f "$root/$folder/node_modules/.package-lock.json" ||
          "$root/$folder/package-lock.json" -nt "$root/$folder/node_modules/.package-lock.json" ]]; then
      echo "install-deps: installing the npm packages of $folder (npm ci)"
      npm ci --prefix "$root/$folder" --no-audit --no-fund --loglevel=error </dev/null
    fi
  done
}

if ((${#missing[@]} == 0)); then
  install_npm_packages
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  sudo=sudo
else
  sudo=
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}" </dev/null; then
  $sudo apt-get update </dev/null
  $sudo apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
fi
# The package may start the system's own Dovecot (on every interface); the tests start their own on
# loopback, so the one just installed is stopped again.
if [[ " ${missing[*]} " == *" dovecot-imapd "* ]]; then
  $sudo doveadm stop >/dev/null 2>&1 || true
fi
install_npm_packages
