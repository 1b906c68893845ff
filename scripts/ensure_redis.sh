#!/usr/bin/env bash
# The tests use a real Redis: the shared one on 127.0.0.1:6379, and private ones they start
# and stop themselves (redis-server). Install it when missing; start the shared one if down.
set -euo pipefail
if ! command -v redis-server >/dev/null 2>&1; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo -n"
  echo "Installing Debian's redis-server for the tests..."
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --port 6379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis would not start on 127.0.0.1:6379" >&2; exit 1; }
