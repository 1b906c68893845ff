#!/usr/bin/env bash
# `make run`: the demo site and its task worker (emails and other background work)
# together, in one terminal. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
export DEBUG=true
# Links in emails and "View on site" name the address this serves on.
export SITE_DOMAIN="${SITE_DOMAIN:-127.0.0.1:${PORT:-8000}}"

$python manage.py migrate --no-input
$python manage.py load_demo

$python manage.py worker --interval 0.5 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
$python manage.py runserver "127.0.0.1:${PORT:-8000}"
