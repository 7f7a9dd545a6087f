#!/usr/bin/env bash
# Builds the Go tools the stack tests use besides the backends, from the Go module proxy, into
# the same cache as stack/build.sh, keyed by what goes into them:
# ${HOPSCOPE_CACHE:-$HOME/.cache/hopscope}/tools/<name>-<module version>-<hash>/bin/<name>,
# the hash being of the program's main.go, go.mod and go.sum. A folder with a .complete
# marker is not built again, so a second run costs nothing.
#   compose-check     stack/tools/compose-check: compose files through the real compose
#                     loader (github.com/compose-spec/compose-go/v2)
#   dockerfile-check  stack/tools/dockerfile-check: BuildKit's Dockerfile checks, those of
#                     `docker build --check` (github.com/moby/buildkit)
# Usage: bash stack/build-tools.sh [NAME]...  (default: all)
#        bash stack/build-tools.sh --print-path NAME   builds NAME if needed, prints its path
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export PATH="/usr/local/go/bin:$PATH"
# The same settings as stack/build.sh: the module proxy only (no `direct`), the local Go.
GOPROXY=$(go env GOPROXY | sed 's/[,|]direct$//')
export GOPROXY GOFLAGS="-buildvcs=false -mod=mod" GOWORK=off GOTOOLCHAIN=local
cache=${HOPSCOPE_CACHE:-$HOME/.cache/hopscope}/tools
mkdir -p "$cache"

log() { printf '[build-tools %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# The module each tool is a thin main around: its version is part of the cache key.
declare -A MODULES=(
  [compose-check]=github.com/compose-spec/compose-go/v2
  [dockerfile-check]=github.com/moby/buildkit
)

tool_dir() {
  local name=$1 src="$repo/stack/tools/$1" version hash
  if [ "$name" = k6 ]; then
    # The workplace's package list marks go.k6.io/k6 not-to-use (AGPL). The load generator
    # is demo-services/load/src/main.ts, run with the repo's Node: nothing to build.
    log "k6 is not built: go.k6.io/k6 is marked not-to-use here (AGPL); run the load generator with \`node demo-services/load/src/main.ts\`"
    return 2
  fi
  [ -n "${MODULES[$name]:-}" ] || { log "unknown tool '$name' (expected ${!MODULES[*]})"; return 2; }
  version=$(awk -v m="${MODULES[$name]}" '$1 == m || ($1 == "require" && $2 == m) { print $NF; exit }' "$src/go.mod")
  [ -n "$version" ] || { log "no ${MODULES[$name]} version in $src/go.mod"; return 1; }
  hash=$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-12)
  echo "$cache/$name-$version-$hash"
}

build_tool() {
  local out=$1 name
  name=$(basename "$out" | sed 's/-v[0-9].*$//')
  (cd "$repo/stack/tools/$name" && go build -trimpath -ldflags "-s -w" -o "$out/bin/$name" .)
}

# Same marker format as stack/build.sh: build seconds and disk, for the README's table.
build_once() {
  local name=$1 out=$2 started
  [ -n "$out" ] || return 2
  if [ -f "$out/.complete" ]; then log "$name: cached in $out"; return 0; fi
  log "$name: building into $out"
  started=$(date +%s)
  rm -rf "$out" && mkdir -p "$out/bin"
  build_tool "$out"
  echo "build_seconds=$(($(date +%s) - started))" >"$out/.complete"
  echo "disk=$(du -sh "$out/bin" | cut -f1)" >>"$out/.complete"
  log "$name: done ($(tr '\n' ' ' <"$out/.complete"))"
  # Builds from an earlier key are of no use any more.
  find "$cache" -maxdepth 1 -name "$name-v*" ! -path "$out" -exec rm -rf {} +
}

if [ "${1:-}" = --print-path ]; then
  [ $# -eq 2 ] || { log "usage: build-tools.sh --print-path NAME"; exit 2; }
  dir=$(tool_dir "$2")
  build_once "$2" "$dir"
  echo "$dir/bin/$2"
  exit 0
fi

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(compose-check dockerfile-check)
for target in "${targets[@]}"; do
  dir=$(tool_dir "$target") # an assignment, so that set -e stops on an unknown tool
  build_once "$target" "$dir"
done
