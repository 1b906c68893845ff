#!/usr/bin/env bash
# Make sure wrk (Debian's package) is there for `make loadtest`; install it when apt can.
set -u
command -v wrk >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo -n"; fi
  echo "Installing Debian's wrk for the load test..."
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi
command -v wrk >/dev/null 2>&1 || { echo "make loadtest needs wrk (apt-get install wrk)." >&2; exit 1; }
