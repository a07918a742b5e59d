#!/usr/bin/env bash
# Checks the install steps of deploy/systemd/anode.service and docs/operations.md in a
# fresh export of HEAD: `npm ci && npm run build && npm prune --omit=dev`, then the pruned
# tree (no dev dependencies, no tsc) starts a node that answers /health, and bin/anodectl
# logs in with the first-start root credential. .ci/run runs it; about 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d /tmp/anode-install-XXXXXX)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

git archive HEAD | tar -x -C "$work"
cd "$work"
npm ci --no-audit --no-fund </dev/null >/dev/null
npm run build </dev/null >/dev/null
npm prune --omit=dev --no-audit --no-fund </dev/null >/dev/null
if [ -e node_modules/.bin/tsc ]; then echo "check-install: dev dependencies still installed" >&2; exit 1; fi

port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
s3="$(port)"; admin="$(port)"
ANODE_SERVER_S3_LISTEN="127.0.0.1:$s3" ANODE_SERVER_ADMIN_LISTEN="127.0.0.1:$admin" \
  node server/dist/main.js server --data "$work/data" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do
  if node -e "fetch('http://127.0.0.1:$admin/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then break; fi
  sleep 0.2
done
export HOME="$work/home" ANODE_KEYRING=file ANODE_ENDPOINT="http://127.0.0.1:$admin"
bin/anodectl login --credentials-file "$work/data/root-credentials" >/dev/null
bin/anodectl status -o json | node -e "let t='';process.stdin.on('data',d=>t+=d).on('end',()=>{const s=JSON.parse(t);if(!s.version)process.exit(1);console.log('check-install: ok, anode '+s.version+' from a pruned install')})"
