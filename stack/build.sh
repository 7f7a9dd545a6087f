#!/usr/bin/env bash
# Builds the real backends the stack tests run (collector, Jaeger v2, Loki 3, Prometheus 3 +
# promtool) from the Go module proxy at the versions in stack/versions.env, into a cache outside
# the repo keyed by version: ${HOPSCOPE_CACHE:-$HOME/.cache/hopscope}/backends/<name>-<version>/.
# A backend whose folder holds a .complete marker is not built again, so a second run costs
# nothing. Usage: bash stack/build.sh [otelcol|jaeger|loki|prometheus]...  (default: all)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=versions.env
source "$repo/stack/versions.env"
export PATH="/usr/local/go/bin:$PATH"
# Modules come from the module proxy only: no `direct` fallback to version control hosts, which
# this machine cannot reach (a refused module then fails at once instead of after a timeout).
GOPROXY=$(go env GOPROXY | sed 's/[,|]direct$//')
# GOWORK=off: Prometheus ships a go.work that would forbid -mod=mod. GOTOOLCHAIN=local: the Go
# installed here builds all four; no toolchain download.
export GOPROXY GOFLAGS="-buildvcs=false -mod=mod" GOWORK=off GOTOOLCHAIN=local
cache=${HOPSCOPE_CACHE:-$HOME/.cache/hopscope}/backends
mkdir -p "$cache"

log() { printf '[build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Copies a module's source out of the read-only module cache so that it can be the main module
# of a build: `go install mod@version` refuses modules whose go.mod has replace directives.
module_source() {
  local module=$1 version=$2 dest=$3 dir
  dir=$(go mod download -json "$module@v$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { log "go mod download $module@v$version failed"; return 1; }
  rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && cp -r "$dir" "$dest" && chmod -R u+w "$dest"
}

# Runs one backend's build function unless its cache folder is complete; records how long the
# build took and how much disk the result takes (the README's table of backends quotes both).
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

build_prometheus() {
  local out=$1 src="$out/src"
  module_source github.com/prometheus/prometheus "$PROMETHEUS_GO_VERSION" "$src"
  # Without the builtinassets tag the web UI is not embedded; the HTTP API, all the tests
  # use, is complete.
  (cd "$src" && go build -trimpath -o "$out/bin/" \
    -ldflags "-s -w -X github.com/prometheus/common/version.Version=$PROMETHEUS_VERSION" \
    ./cmd/prometheus ./cmd/promtool)
  rm -rf "$src"
}

build_jaeger() {
  local out=$1 src="$out/src"
  module_source github.com/jaegertracing/jaeger "$JAEGER_GO_VERSION" "$src"
  # cmd/jaeger is the Jaeger v2 binary (a collector distribution); the UI is a placeholder
  # page unless built with the `ui` tag and the UI's npm build, which the APIs do not need.
  (cd "$src" && go build -trimpath -o "$out/bin/jaeger" \
    -ldflags "-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=v$JAEGER_VERSION" ./cmd/jaeger)
  rm -rf "$src"
}

build_loki() {
  local out=$1 src="$out/src"
  # Loki's module zip leaves out its vendor folder, so -mod=mod fetches the dependencies
  # through the proxy, honouring the replace directives of its go.mod.
  module_source github.com/grafana/loki/v3 "$LOKI_VERSION" "$src"
  # pkg/push is a module of its own inside Loki's repository, so the module zip leaves it out
  # and the replace pointing at ./pkg/push dangles: use the version go.mod requires instead.
  (cd "$src" && go mod edit -dropreplace github.com/grafana/loki/pkg/push)
  (cd "$src" && go build -trimpath -o "$out/bin/loki" \
    -ldflags "-s -w -X github.com/grafana/loki/v3/pkg/util/build.Version=$LOKI_VERSION" ./cmd/loki)
  rm -rf "$src"
}

build_otelcol() {
  local out=$1 manifest="$out/manifest.yaml"
  GOBIN="$out/tools" go install "go.opentelemetry.io/collector/cmd/builder@v$OTELCOL_VERSION"
  # The manifest in the repo names the components; only its output folder changes here.
  sed "s|^  output_path: .*|  output_path: $out/src|" "$repo/otel-collector/builder-config.yaml" >"$manifest"
  "$out/tools/builder" --config "$manifest" --ldflags "-s -w"
  mv "$out/src/otelcol-hopscope" "$out/bin/otelcol-hopscope"
  rm -rf "$out/src" "$out/tools"
}

otelcol_dir() {
  # The manifest is part of the key (comments aside): adding a component rebuilds the collector.
  local hash
  hash=$(grep -v '^ *#' "$repo/otel-collector/builder-config.yaml" | sha256sum | cut -c1-12)
  echo "$cache/otelcol-$OTELCOL_VERSION-$hash"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(otelcol jaeger loki prometheus)
for target in "${targets[@]}"; do
  case $target in
    otelcol)
      build_once otelcol "$(otelcol_dir)" build_otelcol
      # Collectors built from earlier manifests are of no use any more.
      find "$cache" -maxdepth 1 -name 'otelcol-*' ! -path "$(otelcol_dir)" -exec rm -rf {} +
      ;;
    jaeger) build_once jaeger "$cache/jaeger-$JAEGER_VERSION" build_jaeger ;;
    loki) build_once loki "$cache/loki-$LOKI_VERSION" build_loki ;;
    prometheus) build_once prometheus "$cache/prometheus-$PROMETHEUS_VERSION" build_prometheus ;;
    *) log "unknown backend '$target' (expected otelcol, jaeger, loki or prometheus)"; exit 2 ;;
  esac
done
