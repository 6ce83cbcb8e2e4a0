#!/usr/bin/env bash
# Runs before `npm test`: the playground test drives Debian's Chromium (no browser download; the network here
# reaches only the npm registry and Debian's mirrors). Installs it when it is missing and this is root with apt,
# otherwise says exactly what to do. CHROMIUM_PATH points the test at another Chromium.
set -euo pipefail
browser=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$browser" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "npm test: installing Debian chromium for the playground test (once per machine)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "npm test: Chromium not found at $browser: run 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH)" >&2
exit 1
