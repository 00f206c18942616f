#!/usr/bin/env bash
# make bench: Go micro-benchmarks (parse, compile), then the shared perfbench
# workloads against bin/gobpftrace and, when installed, Debian's bpftrace.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== Go benchmarks"
go test -run '^$' -bench . -benchmem ./parser/ ./lang/... ./codegen/ ./tests/kernelprobes/ 2>/dev/null | grep -E '^(Benchmark|ok|PASS)' || true
pb=""
for c in ../shared/bench/perfbench /work/shared/bench/perfbench; do
  [ -x "$c" ] && pb=$c && break
done
if [ -z "$pb" ] || [ "$(id -u)" != 0 ]; then
  echo "perfbench not found or not root: skipping side-by-side run"
  exit 0
fi
# perfbench needs bpftool (program sizes) and reads RSS with GNU time.
if ! command -v bpftool >/dev/null || ! command -v bpftrace >/dev/null || [ ! -x /usr/bin/time ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftool bpftrace time >/dev/null || true
fi
bins=(--bin "$PWD/bin/gobpftrace@dot")
command -v bpftrace >/dev/null && bins+=(--bin "$(command -v bpftrace)@arrow")
out=${BENCH_OUT:-$(mktemp -d /tmp/gobpftrace-perfbench.XXXXXX)}
echo "== perfbench -> $out/results.md"
"$pb" "${bins[@]}" --out "$out" ${BENCH_ARGS:-}
cat "$out/results.md"
