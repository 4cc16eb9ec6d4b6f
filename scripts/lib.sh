# Sourced by every script: finds the project root and the Deno it must use.
# Why: CI and fresh machines have no Deno; we pin 2.9.x from the npm registry.
ZKT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ZKT_DENO_VERSION="2.9.6"
ZKT_TOOLS="$ZKT_ROOT/.tools"
# V8 flags zkt runs with (scripts/zkt, the compiled binary, the benchmark):
# 8 MiB semi-spaces instead of V8's 16-32 (the tree lives in typed arrays, so
# the young generation holds only request garbage; a smaller one saves ~45 MiB
# of RSS), and gc() for the idle reclaim (src/server/idle_reclaim.ts).
export ZKT_V8_FLAGS="--max-semi-space-size=8,--expose-gc"

# Prints the path of a usable Deno 2.9.x, or nothing.
zkt_find_deno() {
  if command -v deno >/dev/null 2>&1 && deno --version 2>/dev/null | head -1 | grep -q '^deno 2\.9\.'; then
    command -v deno
    return
  fi
  # npm puts the binary in the platform's package (@deno/linux-x64-glibc,
  # @deno/linux-arm64-glibc, @deno/darwin-arm64, ...): take the one that runs.
  local bin
  for bin in "$ZKT_TOOLS"/deno/node_modules/@deno/*/deno; do
    if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
      echo "$bin"
      return
    fi
  done
}

# Ensures Deno exists (installing it when missing) and exports DENO.
zkt_use_deno() {
  DENO="$(zkt_find_deno)"
  if [ -z "$DENO" ]; then
    "$ZKT_ROOT/scripts/setup" >&2 || exit 1
    DENO="$(zkt_find_deno)"
  fi
  if [ -z "$DENO" ]; then
    echo "zkt: could not find or install Deno $ZKT_DENO_VERSION" >&2
    exit 1
  fi
  export DENO
  export DENO_NO_UPDATE_CHECK=1
}
