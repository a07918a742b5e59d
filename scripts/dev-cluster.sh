#!/usr/bin/env bash
# A cluster on one machine, for trying Anode out (never for production):
#   scripts/dev-cluster.sh up --nodes N --dir DIR   private PostgreSQL, a CA and one certificate
#                                                  per node (anodectl certs), N nodes on loopback
#                                                  with mutual TLS, waits until all are active,
#                                                  writes DIR/cluster.env
#   scripts/dev-cluster.sh down --dir DIR          stops everything `up` started in DIR
# Needs `npm ci && npm run build` first, and PostgreSQL's initdb/pg_ctl (Debian: postgresql).
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
ANODE=(node "$ROOT/server/dist/main.js")
ANODECTL=(node "$ROOT/cli/dist/bin.js")

usage() {
  echo "usage: $0 up --nodes N --dir DIR | down --dir DIR" >&2
  exit 2
}

cmd="${1:-}"
[ -n "$cmd" ] || usage
shift
NODES=3
DIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    *) usage ;;
  esac
done
[ -n "$DIR" ] || usage

pg_bin() {
  if [ -n "${ANODE_PG_BINDIR:-}" ]; then echo "$ANODE_PG_BINDIR"; return; fi
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
  dirname "$(command -v initdb)"
}

# initdb refuses to run as root: as root the server binaries run as `postgres`.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

down() {
  local dir="$1"
  [ -d "$dir" ] || { echo "no $dir" >&2; exit 1; }
  if [ -f "$dir/pids" ]; then
    while read -r pid; do
      [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done <"$dir/pids"
    for _ in $(seq 1 50); do
      alive=0
      while read -r pid; do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1; done <"$dir/pids"
      [ "$alive" = 0 ] && break
      sleep 0.2
    done
    while read -r pid; do [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; done <"$dir/pids"
    rm -f "$dir/pids"
  fi
  if [ -d "$dir/pg/data" ]; then
    as_pg "$(pg_bin)/pg_ctl" stop -m fast -D "$dir/pg/data" >/dev/null 2>&1 || true
  fi
  echo "stopped the cluster in $dir"
}

up() {
  local dir n
  n="$NODES"
  [[ "$n" =~ ^[1-9][0-9]?$ ]] || { echo "--nodes must be 1..99" >&2; exit 2; }
  mkdir -p "$DIR"
  dir="$(cd "$DIR" && pwd)"
  [ -e "$dir/cluster.env" ] && { echo "$dir/cluster.env exists: run '$0 down --dir $dir' first, or use another --dir" >&2; exit 1; }
  [ -f "$ROOT/server/dist/main.js" ] || { echo "run 'npm ci && npm run build' first" >&2; exit 1; }
  : >"$dir/pids"

  # 1. A private PostgreSQL: its own data dir, loopback port and socket dir.
  local bin pgport pgpass apppass
  bin="$(pg_bin)"
  mkdir -p "$dir/pg"
  pgpass="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  apppass="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  echo "$pgpass" >"$dir/pg/pwfile"
  chmod 600 "$dir/pg/pwfile"
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres:postgres "$dir/pg"
    # The postgres user must be able to reach DIR/pg (mktemp -d makes DIR 0700).
    chmod a+x "$dir"
  fi
  as_pg "$bin/initdb" -D "$dir/pg/data" -U postgres --pwfile "$dir/pg/pwfile" --auth-local=scram-sha-256 \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/pg/initdb.log" 2>&1
  pgport="$(free_port)"
  as_pg "$bin/pg_ctl" start -w -t 60 -D "$dir/pg/data" -l "$dir/pg/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $pgport -k $dir/pg -c max_connections=200" >/dev/null
  PGPASSWORD="$pgpass" psql -q -h 127.0.0.1 -p "$pgport" -U postgres -d postgres \
    -c "CREATE ROLE anode LOGIN PASSWORD '$apppass'" -c "CREATE DATABASE anode OWNER anode" >/dev/null
  local pgurl="postgres://anode:$apppass@127.0.0.1:$pgport/anode"

  # 2. A CA and one certificate per node, as an operator makes them.
  "${ANODECTL[@]}" certs init-ca --out "$dir/ca" --cn "Anode dev cluster CA" >/dev/null
  local i
  for i in $(seq 1 "$n"); do
    "${ANODECTL[@]}" --ca "$dir/ca" certs issue "node$i" --ip 127.0.0.1 --dns localhost --out "$dir/certs" >/dev/null
  done

  # 3. N nodes on loopback. They share the master key (credential secrets) and the root key.
  local root_ak root_sk
  root_ak="AKIA$(head -c 40 /dev/urandom | base32 | tr -dc 'A-Z2-7' | head -c 16)"
  root_sk="$(head -c 30 /dev/urandom | base64 | tr -d '\n' | head -c 40)"
  mkdir -p "$dir/shared"
  head -c 32 /dev/urandom >"$dir/shared/master.key"
  chmod 600 "$dir/shared/master.key"
  {
    echo "# written by scripts/dev-cluster.sh up; source it in a shell"
    echo "CLUSTER_DIR='$dir'"
    echo "CLUSTER_CA='$dir/ca/ca.crt'"
    echo "ROOT_ACCESS_KEY='$root_ak'"
    echo "ROOT_SECRET_KEY='$root_sk'"
    echo "POSTGRES_URL='$pgurl'"
  } >"$dir/cluster.env.tmp"
  local s3 admin grpc
  for i in $(seq 1 "$n"); do
    s3="$(free_port)"; admin="$(free_port)"; grpc="$(free_port)"
    mkdir -p "$dir/node$i"
    env ANODE_SERVER_S3_LISTEN="127.0.0.1:$s3" ANODE_SERVER_ADMIN_LISTEN="127.0.0.1:$admin" \
      ANODE_STORAGE_METADATA_BACKEND=postgres ANODE_STORAGE_POSTGRES_URL="$pgurl" \
      ANODE_AUTH_MASTER_KEY_FILE="$dir/shared/master.key" \
      ANODE_ROOT_ACCESS_KEY="$root_ak" ANODE_ROOT_SECRET_KEY="$root_sk" \
      ANODE_CLUSTER_ENABLED=true ANODE_CLUSTER_GRPC_LISTEN="127.0.0.1:$grpc" ANODE_CLUSTER_ADVERTISE="127.0.0.1:$grpc" \
      ANODE_CLUSTER_REPLICATION_FACTOR="$((n < 3 ? n : 3))" ANODE_CLUSTER_WRITE_QUORUM=0 \
      ANODE_CLUSTER_TLS_CERT="$dir/certs/node$i.crt" ANODE_CLUSTER_TLS_KEY="$dir/certs/node$i.key" \
      ANODE_CLUSTER_TLS_CA="$dir/ca/ca.crt" \
      nohup "${ANODE[@]}" server --data "$dir/node$i/data" >"$dir/node$i/anode.log" 2>&1 &
    echo $! >>"$dir/pids"
    {
      echo "NODE${i}_S3='http://127.0.0.1:$s3'"
      echo "NODE${i}_ADMIN='http://127.0.0.1:$admin'"
      echo "NODE${i}_GRPC='127.0.0.1:$grpc'"
      echo "NODE${i}_PID='$!'"
    } >>"$dir/cluster.env.tmp"
    # The first node creates the schema; the others would only wait on its lock.
    if [ "$i" = 1 ]; then
      for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$admin/health" >/dev/null && break; sleep 0.2; done
    fi
  done

  # 4. Wait until every node is active (by the database's account).
  local active=0
  for _ in $(seq 1 150); do
    active="$(PGPASSWORD="$apppass" psql -qtA -h 127.0.0.1 -p "$pgport" -U anode -d anode \
      -c "SELECT count(*) FROM cluster_nodes WHERE state = 'active' AND last_heartbeat > now() - interval '5 seconds'" 2>/dev/null || echo 0)"
    [ "$active" = "$n" ] && break
    sleep 0.2
  done
  if [ "$active" != "$n" ]; then
    echo "only $active of $n nodes became active; logs in $dir/node*/anode.log" >&2
    mv "$dir/cluster.env.tmp" "$dir/cluster.env"
    exit 1
  fi
  mv "$dir/cluster.env.tmp" "$dir/cluster.env"
  echo "cluster of $n nodes up; source $dir/cluster.env (S3 on \$NODE1_S3 ...); stop it with: $0 down --dir $dir"
}

case "$cmd" in
  up) up ;;
  down) down "$DIR" ;;
  *) usage ;;
esac
