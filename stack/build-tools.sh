#!/usr/bin/env bash
# Builds the Go tools the stack tests use besides the backends, from the Go module proxy, into
# the same cache as stack/build.sh, keyed by what goes into them:
# ${HOPSCOPE_CACHE:-$HOME/.cache/hopscope}/tools/<name>-<key>/bin/<name>. A folder with a
# .complete marker is not built again, so a second run costs nothing.
#   compose-check  stack/tools/compose-check: docker-compose.yml through the real compose
#                  loader (compose-go); the key is the compose-go version plus a hash of the
#                  program's main.go, go.mod and go.sum.
# Usage: bash stack/build-tools.sh [compose-check]...  (default: all). Prints nothing on
# stdout but, with --print-path NAME, the path of NAME's binary (building it if needed).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export PATH="/usr/local/go/bin:$PATH"
# The same settings as stack/build.sh: the module proxy only (no `direct`), the local Go.
GOPROXY=$(go env GOPROXY | sed 's/[,|]direct$//')
export GOPROXY GOFLAGS="-buildvcs=false -mod=mod" GOWORK=off GOTOOLCHAIN=local
cache=${HOPSCOPE_CACHE:-$HOME/.cache/hopscope}/tools
mkdir -p "$cache"

log() { printf '[build-tools %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

compose_check_dir() {
  local src="$repo/stack/tools/compose-check" version hash
  version=$(sed -n 's|^require github.com/compose-spec/compose-go/v2 \(v\S*\)$|\1|p' "$src/go.mod")
  [ -n "$version" ] || { log "no compose-go version in $src/go.mod"; return 1; }
  hash=$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-12)
  echo "$cache/compose-check-$version-$hash"
}

build_compose_check() {
  local out=$1
  (cd "$repo/stack/tools/compose-check" && go build -trimpath -ldflags "-s -w" -o "$out/bin/compose-check" .)
}

# Same marker format as stack/build.sh: build seconds and disk, for the README's table.
build_once() {
  local name=$1 out=$2 fn=$3 started
  if [ -f "$out/.complete" ]; then log "$name: cached in $out"; return 0; fi
  log "$name: building into $out"
  started=$(date +%s)
  rm -rf "$out" && mkdir -p "$out/bin"
  "$fn" "$out"
  echo "build_seconds=$(($(date +%s) - started))" >"$out/.complete"
  echo "disk=$(du -sh "$out/bin" | cut -f1)" >>"$out/.complete"
  log "$name: done ($(tr '\n' ' ' <"$out/.complete"))"
}

tool_dir() {
  case $1 in
    compose-check) compose_check_dir ;;
    k6)
      # The workplace's package list marks go.k6.io/k6 not-to-use (AGPL). The load generator
      # is demo-services/load/src/main.ts, run with the repo's Node: nothing to build.
      log "k6 is not built: go.k6.io/k6 is marked not-to-use here (AGPL); run the load generator with \`node demo-services/load/src/main.ts\`"
      return 2
      ;;
    *) log "unknown tool '$1' (expected compose-check)"; return 2 ;;
  esac
}

if [ "${1:-}" = --print-path ]; then
  [ $# -eq 2 ] || { log "usage: build-tools.sh --print-path NAME"; exit 2; }
  dir=$(tool_dir "$2")
  build_once "$2" "$dir" "build_${2//-/_}"
  echo "$dir/bin/$2"
  exit 0
fi

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(compose-check)
for target in "${targets[@]}"; do
  dir=$(tool_dir "$target")
  build_once "$target" "$dir" "build_${target//-/_}"
  # Builds from an earlier key are of no use any more.
  find "$cache" -maxdepth 1 -name "$target-*" ! -path "$dir" -exec rm -rf {} +
done
