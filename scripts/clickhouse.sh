#!/usr/bin/env bash
# Local ClickHouse for people and CI: makes a server answer at $CLICKHOUSE_URL.
#   scripts/clickhouse.sh start   use a server that already answers, or install Debian's
#                                  clickhouse-server if missing and start one on loopback
#   scripts/clickhouse.sh stop    stop the server this script started (and only that one)
#   scripts/clickhouse.sh status  say whether a server answers and who started it
# Data, logs and the generated config live under .local/clickhouse (git-ignored).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
url="${CLICKHOUSE_URL:-http://127.0.0.1:8123}"
home="${CLICKHOUSE_HOME:-$root/.local/clickhouse}"
pidfile="$home/clickhouse.pid"

hostport="${url#*://}"; hostport="${hostport%%/*}"
host="${hostport%:*}"; http_port="${hostport##*:}"
[ "$host" = "$hostport" ] && http_port=8123
tcp_port="${CLICKHOUSE_TCP_PORT:-$((http_port + 877))}"   # 8123 -> 9000

say() { printf 'clickhouse: %s\n' "$*" >&2; }

answers() { curl -fsS --max-time 2 "$url/?query=SELECT%201" 2>/dev/null | grep -qx 1; }

ours_running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

port_taken() {
  (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null && { exec 3>&- 3<&-; return 0; }
  return 1
}

install_server() {
  command -v clickhouse-server >/dev/null 2>&1 && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    say "clickhouse-server is not installed and there is no apt-get to install it; install ClickHouse or set CLICKHOUSE_URL to a server that runs"
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing Debian's clickhouse-server (apt-get)"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null
}

write_config() {
  mkdir -p "$home"/{data,tmp,log,user_files,format_schemas}
  cat >"$home/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$home/log/clickhouse-server.log</log>
    <errorlog>$home/log/clickhouse-server.err.log</errorlog>
    <size>100M</size>
    <count>3</count>
  </logger>
  <listen_host>$host</listen_host>
  <http_port>$http_port</http_port>
  <tcp_port>$tcp_port</tcp_port>
  <path>$home/data/</path>
  <tmp_path>$home/tmp/</tmp_path>
  <user_files_path>$home/user_files/</user_files_path>
  <format_schema_path>$home/format_schemas/</format_schema_path>
  <users_config>$home/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <max_concurrent_queries>200</max_concurrent_queries>
  <mark_cache_size>1073741824</mark_cache_size>
  <uncompressed_cache_size>1073741824</uncompressed_cache_size>
  <timezone>UTC</timezone>
</yandex>
XML
  cat >"$home/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>8000000000</max_memory_usage><log_queries>0</log_queries></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

ensure_curl() {
  command -v curl >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || { say "curl is needed to talk to ClickHouse; install it"; exit 1; }
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing curl (apt-get)"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
}

start() {
  ensure_curl
  if answers; then
    say "a server already answers at $url; using it"
    return 0
  fi
  case "$host" in
    127.*|localhost|::1|\[::1\]) ;;
    *) say "nothing answers at $url and it is not a loopback address, so it cannot be started here"; exit 1 ;;
  esac
  if port_taken "$http_port"; then
    say "port $http_port is taken by something that is not ClickHouse; free it or set CLICKHOUSE_URL"
    exit 1
  fi
  if port_taken "$tcp_port"; then
    say "native port $tcp_port is taken; set CLICKHOUSE_TCP_PORT to a free port"
    exit 1
  fi
  install_server
  write_config
  say "starting clickhouse-server on $host:$http_port (data in $home)"
  nohup clickhouse-server --config-file="$home/config.xml" >"$home/log/stdout.log" 2>&1 &
  echo $! >"$pidfile"
  local i
  for i in $(seq 1 120); do
    if answers; then say "ready at $url"; return 0; fi
    sleep 0.5
  done
  say "the server did not answer within 60 s; last log lines:"
  tail -n 20 "$home/log/clickhouse-server.err.log" "$home/log/stdout.log" >&2 2>/dev/null || true
  exit 1
}

stop() {
  if ! ours_running; then
    say "no server started by this script is running"
    return 0
  fi
  local pid; pid="$(cat "$pidfile")"
  kill "$pid"
  local i
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; say "stopped"; return 0; }
    sleep 0.5
  done
  say "server $pid did not stop within 30 s; killing it"
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

status() {
  ensure_curl
  if answers; then
    if ours_running; then say "running at $url (started by this script, pid $(cat "$pidfile"))"
    else say "a server answers at $url (not started by this script)"; fi
    return 0
  fi
  say "nothing answers at $url"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
