#!/usr/bin/env bash
# Runs `npm ci` and the test suite (or the command given) under Node 24, the active LTS, on a
# machine whose own Node is another version. The official Node build comes from the npm registry
# as a package (node-linux-<arch>@24: bin/node plus the headers in include/node, against which
# better-sqlite3 compiles via npm_config_nodedir). The tests run in a fresh clone of the current
# commit, so the checkout's node_modules, built for the machine's Node, stays as it is.
#
#   bash scripts/ci/node24.sh              # npm ci && npm test under Node 24
#   bash scripts/ci/node24.sh npx vitest run server/main.test.ts
#   KATAVEN_NODE_MAJOR=22 bash scripts/ci/node24.sh   # the same on Node 22
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
major=${KATAVEN_NODE_MAJOR:-24}
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node24.sh: no official Node build for $(uname -m)" >&2; exit 1 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/kataven-node${major}-XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "::node ${major}: npm pack node-linux-${arch}@${major}"
tarball=$(cd "$work" && npm pack --silent "node-linux-${arch}@${major}" | tail -n 1)
tar -xzf "$work/$tarball" -C "$work"
node_dir="$work/package"
test -x "$node_dir/bin/node" && test -d "$node_dir/include/node"

commit=$(git -C "$root" rev-parse HEAD)
git clone --quiet "$root" "$work/src"
git -C "$work/src" checkout --quiet --detach "$commit"

cd "$work/src"
# npm's own script runs `#!/usr/bin/env node`: with this PATH, every node started below is Node 24.
export PATH="$node_dir/bin:$PATH"
export npm_config_nodedir="$node_dir"
echo "::node $(node --version) npm $(npm --version) at ${commit}"
npm ci --no-audit --no-fund
if [ "$#" -eq 0 ]; then set -- npm test; fi
"$@"
