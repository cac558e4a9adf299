# Sourced by benches/peers.sh and benches/sync_pull_100k.sh (needs RUN, PG_URL and KXC_PORT).
# Settings of every kxc server and command there: budgets and complexity out of the way (the
# load is one client address), the synthetic corpus only.
kxc_env() { # $1: sqlite|pg
  local data=$RUN/data-$1 url
  if [ "$1" = pg ]; then url=$PG_URL; else url="sqlite://$data/kxc.db?mode=rwc"; fi
  mkdir -p "$data"
  echo "KXC_DATA_DIR=$data KXC_DATABASE_URL=$url KXC_BIND=127.0.0.1:$KXC_PORT KXC_SEED_ON_EMPTY=false \
KXC_BUDGET_ANONYMOUS=1000000000/100000000 KXC_BUDGET_PARTNER=1000000000/100000000 \
KXC_MAX_COMPLEXITY=1000000 KXC_EXECUTION_TIMEOUT_MS=60000"
}
