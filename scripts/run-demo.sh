#!/usr/bin/env bash
# Start pufa-flow on its embedded default: SQLite in instance/, demo data,
# the reminder scheduler beside the web server. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export PUFA_ENV=development
BIN=.venv/bin
HOST=${PUFA_HOST:-127.0.0.1}
PORT=${PUFA_PORT:-5000}

$BIN/pufa-flow db upgrade >/dev/null
$BIN/pufa-flow demo --if-empty

if $BIN/pufa-flow --help | grep -q '^  scheduler'; then
  $BIN/pufa-flow scheduler &
  SCHEDULER=$!
  trap 'kill $SCHEDULER 2>/dev/null || true' EXIT
fi

cat <<MSG

  pufa-flow 已启动：http://$HOST:$PORT/
  演示账户（密码均为 demo1234）：
    admin       普法办
    sifaju      责任单位（区司法局）
    pingwei     评委会成员
    pingyi      评议团成员
    lingdao     领导查阅

MSG
exec $BIN/pufa-flow run --host "$HOST" --port "$PORT"
