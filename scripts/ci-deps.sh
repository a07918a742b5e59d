#!/usr/bin/env bash
# Installs the Debian packages the test suites drive: real S3 clients (aws-cli, boto3,
# s3cmd, rclone), PostgreSQL for the metadata backend tests, and the tools anodectl and
# the docs use. Idempotent; runs as root with no stdin (CI). Run as non-root it uses sudo.
set -euo pipefail

PACKAGES=(
  awscli          # /usr/bin/aws: test/integration/awscli.test.ts
  python3         # /usr/bin/python3 for boto3
  python3-boto3   # test/integration/boto3.test.ts
  s3cmd           # test/integration/s3cmd.test.ts
  rclone          # test/integration/rclone.test.ts
  postgresql      # PostgreSQL metadata backend tests (initdb/pg_ctl only: tests start a private cluster, no service)
  openssl         # certificates (anodectl certs)
  curl            # /usr/bin/curl --aws-sigv4: test/integration/admin-curl.test.ts (docs/admin-api.md examples)
  iptables        # firewall rules (anodectl firewall)
  nftables
  prometheus      # promtool check/test rules for deploy/prometheus/anode-alerts.yml (test/cli/observability.test.ts; the server is not started)
  groff           # man page rendering checks
  man-db
  iproute2        # ip netns for the firewall tests
  systemd         # systemd-analyze verify for deploy/systemd/anode.service
  ca-certificates
  build-essential # compiles better-sqlite3 if no prebuilt binary matches
  python3-setuptools
  softhsm2        # PKCS#11 key provider tests: a private SoftHSM2 token per test (test/keys/, SOFTHSM2_CONF)
  opensc          # pkcs11-tool: the tests read a KEK's attributes (sensitive, never extractable) from the token
  jq              # the README's steps (test/cli/readme.test.ts runs them)
  curl            # the README fetches a presigned URL
  util-linux      # script(1): test/cli/spinner-pty.test.ts runs anodectl under a pty
  zsh             # zsh -n on `anodectl completion zsh` (test/cli/completion.test.ts)
  fish            # fish -n on `anodectl completion fish`
)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo -n); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$p"); fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "ci-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "ci-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update </dev/null
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null
echo "ci-deps: done"
