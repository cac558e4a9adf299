#!/usr/bin/env bash
# benches/sync_pull_100k.sh — the full pull of issue 9 at more than 100k changes, on the corpus a
# `KXC_BENCH_PRACTICES=N benches/peers.sh sync` run left in target/peers/run-N (same servers and
# settings): pushes 50k more funding records (calls of 500, a partner key of its own source),
# then pulls the whole `changes` feed 1000 a page, on PostgreSQL and SQLite.
#
#   KXC_BENCH_PRACTICES=36000 benches/peers.sh sync && KXC_BENCH_PRACTICES=36000 benches/sync_pull_100k.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${KXC_BENCH_PRACTICES:-20000}
RUN=$ROOT/target/peers/run-$N R=$RUN
KXC=$ROOT/target/release/kxc
PG_URL=${KXC_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}/kxc_bench_$N
KXC_PORT=38080
export KXC_LOG=warn
# shellcheck source=peers/kxc_env.sh
source "$ROOT/benches/peers/kxc_env.sh"
[ -d "$R" ] || { echo "no corpus in $R: run benches/peers.sh sync first" >&2; exit 1; }
python3 "$ROOT/benches/peers/sync.py" records "$R/bulk-records.jsonl" 50000
for backend in pg sqlite; do
  E=$(kxc_env $backend)
  source="bulk-$backend-$$"
  key=$(env $E "$KXC" keys create --role partner --source "$source" --name bench --reason benchmark | tail -1)
  env $E "$KXC" serve > "$R/bulk-$backend.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  until curl -sf -o /dev/null http://127.0.0.1:38080/readyz; do sleep 0.1; done
  echo "$backend push 50k: $(python3 "$ROOT/benches/peers/sync.py" push http://127.0.0.1:38080/graphql "$key" "$source" "$R/bulk-records.jsonl")"
  echo "$backend full pull: $(python3 "$ROOT/benches/peers/sync.py" pull http://127.0.0.1:38080/graphql)"
  kill $pid
  wait $pid || true
done
