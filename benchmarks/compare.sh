#!/usr/bin/env bash
# The side-by-side comparison of issue 5: direct path, plaintext socat pair, eit-relay pair and stunnel4 pair,
# same loads, alternating runs, medians -> benchmarks/RESULTS.md (raw rows: benchmarks/results.json).
# Installs what it needs (Debian, as root), builds the relay and the benchmarks jar if absent, then runs
# benchmarks/compare.py with the given options (--help lists them). Takes ~20 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
need=()
for pair in iperf3:iperf3 socat:socat stunnel4:stunnel4 openssl:openssl nfs-cp:libnfs-utils \
            ganesha.nfsd:nfs-ganesha rpcbind:rpcbind python3:python3 mvn:maven; do
  command -v "${pair%%:*}" >/dev/null || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
done
dpkg -s nfs-ganesha-vfs >/dev/null 2>&1 || need+=(nfs-ganesha-vfs)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -f relay-cli/target/eit-relay.jar ] || [ ! -f benchmarks/target/benchmarks.jar ]; then
  mvn -q -B -DskipTests -DskipITs package
fi
exec python3 benchmarks/compare.py "$@"
