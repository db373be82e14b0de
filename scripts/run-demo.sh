#!/usr/bin/env bash
# Start pufa-flow on its embedded default: SQLite in instance/, demo data,
# the reminder scheduler and a local mail sink beside the web server.
# SMS go to the console backend (printed here); mail lands in instance/mail/*.eml.
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
export PUFA_ENV=development
BIN=.venv/bin
HOST=${PUFA_HOST:-127.0.0.1}
PORT=${PUFA_PORT:-5000}
MAIL_PORT=${PUFA_MAIL_SINK_PORT:-8025}
export PUFA_BASE_URL=${PUFA_BASE_URL:-http://$HOST:$PORT}
export PUFA_SMTP_HOST=${PUFA_SMTP_HOST:-127.0.0.1}
export PUFA_SMTP_PORT=${PUFA_SMTP_PORT:-$MAIL_PORT}
export PUFA_SMTP_SECURITY=${PUFA_SMTP_SECURITY:-none}
export PUFA_MAIL_FROM=${PUFA_MAIL_FROM:-普法办 <pufaban@example.cn>}
export PUFA_OFFICE_EMAIL=${PUFA_OFFICE_EMAIL:-pufaban@example.cn}
export PUFA_SMS_BACKEND=${PUFA_SMS_BACKEND:-console}

$BIN/pufa-flow db upgrade >/dev/null
$BIN/pufa-flow demo --if-empty

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
if [ "$PUFA_SMTP_HOST" = 127.0.0.1 ] && [ "$PUFA_SMTP_PORT" = "$MAIL_PORT" ]; then
  $BIN/python -m notifications.mailsink --dir instance/mail --port "$MAIL_PORT" &
  PIDS+=($!)
fi
$BIN/pufa-flow scheduler &
PIDS+=($!)

cat <<MSG

  pufa-flow 已启动：http://$HOST:$PORT/
  演示账户（密码均为 demo1234）：
    admin       普法办
    sifaju      责任单位（区司法局）
    pingwei     评委会成员
    pingyi      评议团成员
    lingdao     领导查阅
  提醒调度进程已在后台运行：短信打印在本窗口（console 后端），
  邮件写入 instance/mail/*.eml（本地邮件接收器，端口 $MAIL_PORT）。

MSG
$BIN/pufa-flow run --host "$HOST" --port "$PORT"
