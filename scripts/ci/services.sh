#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis the tests use answer on 127.0.0.1 (ports 5432 and 6379):
# installs them from Debian's packages where missing and starts whichever is down.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null || ! command -v redis-server >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq postgresql redis-server redis-tools
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi

for _ in $(seq 1 50); do
  if pg_isready -h 127.0.0.1 -p 5432 -q && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "PostgreSQL and Redis answer"
    exit 0
  fi
  sleep 0.2
done
echo "PostgreSQL or Redis did not come up" >&2
exit 1
