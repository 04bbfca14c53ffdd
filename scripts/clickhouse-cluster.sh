#!/usr/bin/env bash
# Local ClickHouse cluster for people and CI: ZooKeeper and four ClickHouse servers on loopback, forming the
# cluster otel_llm_cluster (2 shards x 2 replicas).
#   scripts/clickhouse-cluster.sh start [PORT...]   install what is missing (Debian's zookeeper and
#                                                    clickhouse-server), start ZooKeeper and every server (or only
#                                                    the servers whose HTTP ports are given); idempotent
#   scripts/clickhouse-cluster.sh stop [PORT...]    stop what this script started (or only the given servers)
#   scripts/clickhouse-cluster.sh status            say what answers and who started it
#
#   node   HTTP  native  interserver  shard  replica
#   1      8131  9008    9131         01     r8131
#   2      8132  9009    9132         01     r8132
#   3      8133  9010    9133         02     r8133
#   4      8134  9011    9134         02     r8134
#   ZooKeeper 127.0.0.1:2181
# Data, logs and generated configs live under .local/clickhouse-cluster (git-ignored).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${CLICKHOUSE_CLUSTER_HOME:-$root/.local/clickhouse-cluster}"
cluster="otel_llm_cluster"
host=127.0.0.1
zk_port="${ZOOKEEPER_PORT:-2181}"
http_ports=(8131 8132 8133 8134)

say() { printf 'clickhouse-cluster: %s\n' "$*" >&2; }

sudo_cmd() { if [ "$(id -u)" -ne 0 ]; then sudo "$@"; else "$@"; fi; }

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    say "$* missing and there is no apt-get to install it; install it by hand"
    exit 1
  fi
  say "installing $* (apt-get)"
  sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

install_missing() {
  local missing=()
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v clickhouse-server >/dev/null 2>&1 || missing+=(clickhouse-server clickhouse-client)
  [ -f /usr/share/java/zookeeper.jar ] || missing+=(zookeeper)
  command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

shard_of() { case "$1" in 8131|8132) echo 01 ;; 8133|8134) echo 02 ;; *) say "unknown node $1 (use 8131..8134)"; exit 2 ;; esac; }
tcp_of() { echo $(($1 + 877)); }
interserver_of() { echo $(($1 + 1000)); }

port_taken() {
  (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null && { exec 3>&- 3<&-; return 0; }
  return 1
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

answers() { curl -fsS --max-time 2 "http://$host:$1/?query=SELECT%201" 2>/dev/null | grep -qx 1; }

zk_answers() {
  local reply
  reply="$( (exec 3<>"/dev/tcp/$host/$zk_port" && printf srvr >&3 && timeout 2 cat <&3) 2>/dev/null || true)"
  case "$reply" in *"Zookeeper version"*) return 0 ;; esac
  return 1
}

# Polls a condition up to a number of half-second steps.
wait_for() {
  local steps="$1"; shift
  local i
  for i in $(seq 1 "$steps"); do
    "$@" && return 0
    sleep 0.5
  done
  return 1
}

start_zookeeper() {
  local dir="$home/zookeeper"
  if alive "$dir/zookeeper.pid" && zk_answers; then return 0; fi
  if zk_answers; then
    say "a ZooKeeper already answers on $host:$zk_port; using it"
    return 0
  fi
  if port_taken "$zk_port"; then
    say "port $zk_port is taken by something that is not ZooKeeper; free it or set ZOOKEEPER_PORT"
    exit 1
  fi
  mkdir -p "$dir/data" "$dir/log"
  cat >"$dir/zoo.cfg" <<CFG
tickTime=2000
dataDir=$dir/data
clientPort=$zk_port
clientPortAddress=$host
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok
autopurge.purgeInterval=1
CFG
  say "starting ZooKeeper on $host:$zk_port"
  nohup java -Xms64m -Xmx256m -XX:+UseSerialGC -Dzookeeper.log.dir="$dir/log" \
    -cp "/usr/share/java/zookeeper.jar" org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg" \
    >"$dir/log/stdout.log" 2>&1 &
  echo $! >"$dir/zookeeper.pid"
  if ! wait_for 60 zk_answers; then
    say "ZooKeeper did not answer within 30 s; last log lines:"
    tail -n 20 "$dir/log/stdout.log" >&2 || true
    exit 1
  fi
}

replica_xml() { printf '<replica><host>%s</host><port>%s</port></replica>' "$host" "$(tcp_of "$1")"; }

write_node_config() {
  local port="$1" dir="$home/node-$1"
  mkdir -p "$dir"/{data,tmp,log,user_files,format_schemas}
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$dir/log/clickhouse-server.log</log>
    <errorlog>$dir/log/clickhouse-server.err.log</errorlog>
    <size>50M</size>
    <count>2</count>
  </logger>
  <listen_host>$host</listen_host>
  <http_port>$port</http_port>
  <tcp_port>$(tcp_of "$port")</tcp_port>
  <interserver_http_host>$host</interserver_http_host>
  <interserver_http_port>$(interserver_of "$port")</interserver_http_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$home/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <max_concurrent_queries>200</max_concurrent_queries>
  <shutdown_wait_unfinished>1</shutdown_wait_unfinished>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <timezone>UTC</timezone>
  <remote_servers>
    <$cluster>
      <shard><internal_replication>true</internal_replication>$(replica_xml 8131)$(replica_xml 8132)</shard>
      <shard><internal_replication>true</internal_replication>$(replica_xml 8133)$(replica_xml 8134)</shard>
    </$cluster>
    <!-- Shard 1 alone, for bench/cluster.sh's one-shard runs beside the two-shard ones. -->
    <${cluster}_one_shard>
      <shard><internal_replication>true</internal_replication>$(replica_xml 8131)$(replica_xml 8132)</shard>
    </${cluster}_one_shard>
  </remote_servers>
  <zookeeper>
    <node><host>$host</host><port>$zk_port</port></node>
    <session_timeout_ms>10000</session_timeout_ms>
  </zookeeper>
  <macros>
    <cluster>$cluster</cluster>
    <shard>$(shard_of "$port")</shard>
    <replica>r$port</replica>
  </macros>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
XML
}

# distributed_product_mode=global: a subquery over a Distributed table inside IN runs once and its result goes to
# every shard, so such queries answer as on one server (the default, deny, refuses them).
# insert_distributed_sync=1: an INSERT into a Distributed table returns once every shard has its rows.
write_users() {
  cat >"$home/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default>
    <max_memory_usage>4000000000</max_memory_usage>
    <log_queries>0</log_queries>
    <distributed_product_mode>global</distributed_product_mode>
    <insert_distributed_sync>1</insert_distributed_sync>
  </default></profiles>
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

start_node() {
  local port="$1" dir="$home/node-$1"
  if alive "$dir/clickhouse.pid"; then return 0; fi
  if answers "$port"; then
    say "a server not started by this script answers on $port; stop it or free the port"
    exit 1
  fi
  local p
  for p in "$port" "$(tcp_of "$port")" "$(interserver_of "$port")"; do
    if port_taken "$p"; then say "port $p (node $port) is taken; free it"; exit 1; fi
  done
  write_node_config "$port"
  nohup clickhouse-server --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 &
  echo $! >"$dir/clickhouse.pid"
}

await_node() {
  local port="$1" dir="$home/node-$1"
  if ! wait_for 240 answers "$port"; then
    say "node $port did not answer within 120 s; last log lines:"
    tail -n 20 "$dir/log/clickhouse-server.err.log" "$dir/log/stdout.log" >&2 2>/dev/null || true
    exit 1
  fi
}

# Every node sees the whole cluster and ZooKeeper, so ON CLUSTER DDL and replication work at once.
cluster_ready() {
  local port="$1"
  [ "$(curl -fsS --max-time 2 "http://$host:$port/?query=SELECT%20count()%20FROM%20system.clusters%20WHERE%20cluster%3D'$cluster'" 2>/dev/null)" = 4 ] &&
    curl -fsS --max-time 2 "http://$host:$port/?query=SELECT%20count()%20FROM%20system.zookeeper%20WHERE%20path%3D'/'" >/dev/null 2>&1
}

start() {
  local clock=$SECONDS
  install_missing
  mkdir -p "$home"
  local nodes=("$@")
  [ ${#nodes[@]} -gt 0 ] || nodes=("${http_ports[@]}")
  start_zookeeper
  write_users
  local port
  for port in "${nodes[@]}"; do shard_of "$port" >/dev/null; start_node "$port"; done
  for port in "${nodes[@]}"; do await_node "$port"; done
  for port in "${nodes[@]}"; do
    wait_for 120 cluster_ready "$port" || { say "node $port does not see cluster $cluster or ZooKeeper"; exit 1; }
  done
  say "ready in $((SECONDS - clock)) s: ${nodes[*]} (cluster $cluster, ZooKeeper $host:$zk_port, data in $home)"
}

stop_pid() {
  local pidfile="$1" what="$2"
  alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  local pid; pid="$(cat "$pidfile")"
  kill "$pid"
  if ! wait_for 60 bash -c "! kill -0 $pid 2>/dev/null"; then
    say "$what ($pid) did not stop within 30 s; killing it"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  say "stopped $what"
}

stop() {
  local port
  if [ $# -gt 0 ]; then
    for port in "$@"; do shard_of "$port" >/dev/null; stop_pid "$home/node-$port/clickhouse.pid" "node $port"; done
    return 0
  fi
  for port in "${http_ports[@]}"; do stop_pid "$home/node-$port/clickhouse.pid" "node $port"; done
  stop_pid "$home/zookeeper/zookeeper.pid" "ZooKeeper"
}

status() {
  local port down=0
  if zk_answers; then
    if alive "$home/zookeeper/zookeeper.pid"; then say "ZooKeeper $host:$zk_port: running (started by this script)"
    else say "ZooKeeper $host:$zk_port: answers (not started by this script)"; fi
  else
    say "ZooKeeper $host:$zk_port: not answering"; down=1
  fi
  for port in "${http_ports[@]}"; do
    if answers "$port"; then
      say "node $port (shard $(shard_of "$port")): running$(alive "$home/node-$port/clickhouse.pid" && echo ' (started by this script)')"
    else
      say "node $port (shard $(shard_of "$port")): not answering"; down=1
    fi
  done
  [ $down -eq 0 ] || return 3
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  start) start "$@" ;;
  stop) stop "$@" ;;
  status) status ;;
  *) echo "usage: $0 start [PORT...] | stop [PORT...] | status" >&2; exit 2 ;;
esac
