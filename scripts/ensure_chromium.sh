#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser tests; install it when apt can.
# Never fails: without Chromium the browser tests are skipped with a loud message instead.
set -u
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
[[ -x $chromium ]] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo="unavailable"; fi
  fi
  if [[ $sudo != unavailable ]]; then
    echo "Installing Debian's chromium for the browser tests..."
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
fi

if [[ ! -x $chromium ]]; then
  echo "!!! No Chromium at $chromium and it could not be installed: browser tests will be SKIPPED." >&2
fi
exit 0
