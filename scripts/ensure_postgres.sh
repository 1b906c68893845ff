#!/usr/bin/env bash
# Start the local PostgreSQL cluster if it is down (the machines' PostgreSQL 15).
set -euo pipefail
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect 15 main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'journalclub'" \
  | grep -q 1 || createdb -h 127.0.0.1 -U postgres journalclub
