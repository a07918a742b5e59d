#!/usr/bin/env bash
# The Secrets a 3-replica (or N-replica) anode StatefulSet needs, made with anodectl certs
# and anodectl keys, written as one manifest (mode 0600) for `kubectl apply -f`:
#   <name>-tls          the S3/admin certificate of the Service (<name>, <name>.<ns>.svc, ...,
#                       and each --s3-name: the load balancer's or Ingress's host name or IP)
#   <name>-<i>-tls      one per pod, for the gRPC plane: CN = node id = pod name <name>-<i>,
#                       DNS <name>-<i>.<name>-peers.<ns>.svc (the advertised address)
#   <name>-master-key   the credential master key every node must share (32 random bytes)
#   <name>-postgres     url = the PostgreSQL connection string (with --postgres-url-file, kept
#                       in OUT/postgres.url for later runs)
# Each Secret holds ca.crt too. The CA is made in --ca DIR on the first run (keep ca.key
# offline); later runs reuse it, keep the master key, and issue only the certificates that
# are missing (--force re-issues them all: apply, then `kubectl rollout restart
# statefulset/<name>`; one pod at a time, so with R=3, W=2 writes go on meanwhile).
#
#   deploy/k8s/make-secrets.sh --replicas 3 --namespace prod --ca ~/anode-ca --out deploy/k8s/tls
#   kubectl apply -n prod -k deploy/k8s        # kustomization.yaml includes tls/secrets.yaml
#
# ANODECTL overrides the anodectl command (e.g. "node cli/dist/bin.js").
set -euo pipefail

usage() {
  echo "usage: $0 --replicas N --namespace NS --ca DIR --out DIR [--name anode] [--postgres-url-file FILE] [--s3-name NAME]... [--days 365] [--force]" >&2
  exit 2
}

REPLICAS=3 NS="" CA="" OUT="" NAME=anode PG_URL_FILE="" DAYS=365 FORCE=() S3_NAMES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) REPLICAS="$2"; shift 2 ;;
    --namespace) NS="$2"; shift 2 ;;
    --ca) CA="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    --postgres-url-file) PG_URL_FILE="$2"; shift 2 ;;
    --s3-name) S3_NAMES+=("$2"); shift 2 ;;
    --days) DAYS="$2"; shift 2 ;;
    --force) FORCE=(--force); shift ;;
    *) usage ;;
  esac
done
[ -n "$NS" ] && [ -n "$CA" ] && [ -n "$OUT" ] || usage
[[ "$REPLICAS" =~ ^[1-9][0-9]?$ ]] || { echo "--replicas must be 1..99" >&2; exit 2; }
label='^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$'
[[ "$NS" =~ $label ]] || { echo "--namespace $NS is not a namespace name" >&2; exit 2; }
[[ "$NAME" =~ $label ]] || { echo "--name $NAME is not a DNS label" >&2; exit 2; }

read -r -a CTL <<<"${ANODECTL:-anodectl}"
umask 077
mkdir -p "$OUT/certs"

if [ ! -f "$CA/ca.crt" ]; then
  "${CTL[@]}" certs init-ca --out "$CA" --cn "Anode cluster CA ($NS)" >&2
fi

issue() { # issue NODE NAME... (a name that looks like an IP address goes in as --ip)
  local node="$1"
  shift
  if [ -f "$OUT/certs/$node.crt" ] && [ ${#FORCE[@]} -eq 0 ]; then return; fi
  local args=()
  for n in "$@"; do
    if [[ "$n" =~ ^[0-9.]+$ || "$n" == *:* ]]; then args+=(--ip "$n"); else args+=(--dns "$n"); fi
  done
  "${CTL[@]}" --ca "$CA" certs issue "$node" "${args[@]}" --out "$OUT/certs" --days "$DAYS" "${FORCE[@]}" >&2
}

svc="$NAME.$NS.svc"
issue "$NAME" "$NAME" "$svc" "$svc.cluster.local" ${S3_NAMES[@]+"${S3_NAMES[@]}"}
for ((i = 0; i < REPLICAS; i++)); do
  peer="$NAME-$i.$NAME-peers.$NS.svc"
  issue "$NAME-$i" "$peer" "$peer.cluster.local"
done
[ -f "$OUT/master.key" ] || "${CTL[@]}" keys generate --out "$OUT/master.key" >&2

b64() { base64 -w0 <"$1"; }
secret() { # secret NAME TYPE (then "key file" pairs on stdin)
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: %s\n  labels:\n    app.kubernetes.io/name: anode\ntype: %s\ndata:\n' "$1" "$NS" "$2"
  while read -r key file; do printf '  %s: %s\n' "$key" "$(b64 "$file")"; done
}

{
  echo "# Made by deploy/k8s/make-secrets.sh for $REPLICAS replicas in namespace $NS. Holds private keys: never commit it."
  secret "$NAME-tls" kubernetes.io/tls <<EOF
tls.crt $OUT/certs/$NAME.crt
tls.key $OUT/certs/$NAME.key
ca.crt $CA/ca.crt
EOF
  for ((i = 0; i < REPLICAS; i++)); do
    secret "$NAME-$i-tls" kubernetes.io/tls <<EOF
tls.crt $OUT/certs/$NAME-$i.crt
tls.key $OUT/certs/$NAME-$i.key
ca.crt $CA/ca.crt
EOF
  done
  secret "$NAME-master-key" Opaque <<EOF
master.key $OUT/master.key
EOF
  [ -z "$PG_URL_FILE" ] || printf '%s' "$(head -n1 "$PG_URL_FILE")" >"$OUT/postgres.url"
  if [ -f "$OUT/postgres.url" ]; then
    secret "$NAME-postgres" Opaque <<EOF
url $OUT/postgres.url
EOF
  fi
} >"$OUT/secrets.yaml.tmp"
mv "$OUT/secrets.yaml.tmp" "$OUT/secrets.yaml"
pg=""
[ -f "$OUT/postgres.url" ] && pg=", $NAME-postgres"
echo "wrote $OUT/secrets.yaml: $NAME-tls, $NAME-0-tls .. $NAME-$((REPLICAS - 1))-tls, $NAME-master-key$pg" >&2
[ -n "$pg" ] || echo "the PostgreSQL Secret is yours to make: kubectl create secret generic $NAME-postgres -n $NS --from-file=url=FILE" >&2
