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
R=$ROOT/target/peers/run-$N
KXC=$ROOT/target/release/kxc
PG_BASE=${KXC_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
[ -d "$R" ] || { echo "no corpus in $R: run benches/peers.sh sync first" >&2; exit 1; }
python3 "$ROOT/benches/peers/sync.py" records "$R/bulk-records.jsonl" 50000
for backend in pg sqlite; do
  data=$R/data-$backend
  if [ $backend = pg ]; then url=$PG_BASE/kxc_bench_$N; else url="sqlite://$data/kxc.db?mode=rwc"; fi
  E="KXC_DATA_DIR=$data KXC_DATABASE_URL=$url KXC_BIND=127.0.0.1:38080 KXC_SEED_ON_EMPTY=false
KXC_BUDGET_ANONYMOUS=1000000000/100000000 KXC_BUDGET_PARTNER=1000000000/100000000
KXC_MAX_COMPLEXITY=1000000 KXC_EXECUTION_TIMEOUT_MS=60000 KXC_LOG=warn"
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
