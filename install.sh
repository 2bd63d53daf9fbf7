#!/usr/bin/env bash
# Dispatch installer.
#   ./install.sh        install dependencies, make sure Postgres/Redis run, create + migrate the database, start the api
#   ./install.sh test   install dependencies and the test tools (Chromium, promtool, pgbouncer, redis-server)
#                       where missing, make sure Postgres/Redis run, run `npm test`, `npm run test:e2e` and
#                       `npm run test:chaos`
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

log() { printf '==> %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# url_part URL FIELD -> host | port | user | password | db | admin (same URL on the `postgres` database)
url_part() {
  node -e '
    const [url, field] = process.argv.slice(1);
    const u = new URL(url);
    const defaultPort = u.protocol.startsWith("redis") ? "6379" : "5432";
    const admin = () => { u.pathname = "/postgres"; return u.href; };
    const parts = {
      host: () => u.hostname.replace(/^\[|\]$/g, ""),
      port: () => u.port || defaultPort,
      user: () => decodeURIComponent(u.username),
      password: () => decodeURIComponent(u.password),
      db: () => decodeURIComponent(u.pathname.slice(1)),
      admin,
    };
    console.log(parts[field]());
  ' "$1" "$2"
}

# env_get KEY: value of KEY in .env.local (last one wins, surrounding quotes stripped)
env_get() {
  sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" .env.local | tail -n1 | sed -E 's/^"(.*)"$/\1/; s/^'"'"'(.*)'"'"'$/\1/'
}

check_node() {
  command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are required (Node.js >= 20.12: https://nodejs.org or your distro's nodejs package)"
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 12) ? 0 : 1)' \
    || die "Node.js >= 20.12 is required (found $(node -v))"
}

install_deps() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "Installing dependencies (npm ci)"
    npm ci
  else
    log "Dependencies up to date (skipping npm ci)"
  fi
}

tcp_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null; }
pg_up() {
  if command -v pg_isready >/dev/null; then pg_isready -q -t 2 -h "$1" -p "$2"; else tcp_open "$1" "$2"; fi
}
redis_up() {
  if command -v redis-cli >/dev/null; then
    redis-cli -h "$1" -p "$2" ping 2>/dev/null | grep -qE 'PONG|NOAUTH'
  else
    tcp_open "$1" "$2"
  fi
}
is_local() { [[ "$1" == 127.0.0.1 || "$1" == localhost || "$1" == ::1 ]]; }

# ensure_services DATABASE_URL REDIS_URL: start Postgres/Redis when unreachable, wait up to ~30 s for both.
ensure_services() {
  local db_url=$1 redis_url=$2
  local pg_host pg_port r_host r_port
  pg_host=$(url_part "$db_url" host); pg_port=$(url_part "$db_url" port)
  r_host=$(url_part "$redis_url" host); r_port=$(url_part "$redis_url" port)

  local need_pg=0 need_redis=0
  pg_up "$pg_host" "$pg_port" || need_pg=1
  redis_up "$r_host" "$r_port" || need_redis=1
  if (( need_pg == 0 && need_redis == 0 )); then
    log "PostgreSQL ($pg_host:$pg_port) and Redis ($r_host:$r_port) are reachable"
    return 0
  fi
  (( need_pg )) && ! is_local "$pg_host" && die "PostgreSQL at $pg_host:$pg_port is unreachable (not a local address: start it yourself)"
  (( need_redis )) && ! is_local "$r_host" && die "Redis at $r_host:$r_port is unreachable (not a local address: start it yourself)"

  local missing=() compose=()
  if (( need_pg )); then
    if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null; then
      log "Starting local PostgreSQL"
      pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start || log "pg_ctlcluster failed (see above)"
    else
      compose+=(postgres)
    fi
  fi
  if (( need_redis )); then
    if command -v redis-server >/dev/null; then
      log "Starting local Redis"
      mkdir -p /var/lib/redis /var/log/redis
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log \
        || log "redis-server failed (see above)"
    else
      compose+=(redis)
    fi
  fi
  if (( ${#compose[@]} )); then
    if command -v docker >/dev/null && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
      local user password
      user=$(url_part "$db_url" user); password=$(url_part "$db_url" password)
      log "Starting ${compose[*]} with docker compose (project dispatch-dev)"
      # Dev credentials matching the URLs above; see the header of docker-compose.yml.
      POSTGRES_USER="${user:-postgres}" POSTGRES_PASSWORD="$password" POSTGRES_DB=postgres \
        POSTGRES_HOST_AUTH_METHOD=$([ -z "$password" ] && echo trust || echo scram-sha-256) \
        POSTGRES_PUBLISH_PORT="$pg_port" REDIS_PUBLISH_PORT="$r_port" GRAFANA_ADMIN_PASSWORD=unused-by-dev-services \
        docker compose -p dispatch-dev up -d "${compose[@]}"
    else
      for s in "${compose[@]}"; do
        case $s in
          postgres) missing+=("PostgreSQL is not running on $pg_host:$pg_port and is not installed: sudo apt-get install -y postgresql (allow trust auth for 127.0.0.1, user postgres), or set DATABASE_URL to a running server") ;;
          redis) missing+=("Redis is not running on $r_host:$r_port and is not installed: sudo apt-get install -y redis-server, or set REDIS_URL to a running server") ;;
        esac
      done
      missing+=("(alternatively install Docker with the compose plugin and start the engine: ./install.sh then runs docker compose up -d postgres redis)")
      printf 'ERROR: %s\n' "${missing[@]}" >&2
      exit 1
    fi
  fi

  log "Waiting for PostgreSQL and Redis (up to 30 s)"
  local i
  for i in $(seq 30); do
    pg_up "$pg_host" "$pg_port" && redis_up "$r_host" "$r_port" && { log "PostgreSQL and Redis are up"; return 0; }
    sleep 1
  done
  pg_up "$pg_host" "$pg_port" || die "PostgreSQL did not become reachable on $pg_host:$pg_port"
  die "Redis did not become reachable on $r_host:$r_port"
}

# ensure_database DATABASE_URL: create the database it names when missing.
ensure_database() {
  local db admin
  db=$(url_part "$1" db); admin=$(url_part "$1" admin)
  [ -n "$db" ] || die "DATABASE_URL names no database"
  export PGCONNECT_TIMEOUT=5
  if command -v psql >/dev/null && command -v createdb >/dev/null; then
    if [ "$(psql "$admin" -v ON_ERROR_STOP=1 -v db="$db" -tAq <<<"SELECT 1 FROM pg_database WHERE datname = :'db'")" = 1 ]; then
      log "Database $db exists"
    else
      log "Creating database $db"
      createdb --maintenance-db="$admin" "$db"
    fi
  else
    node -e '
      const { Client } = require("pg");
      const [admin, db] = process.argv.slice(1);
      (async () => {
        const c = new Client({ connectionString: admin });
        await c.connect();
        const { rowCount } = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [db]);
        if (rowCount) console.log(`==> Database ${db} exists`);
        else { console.log(`==> Creating database ${db}`); await c.query(`CREATE DATABASE "${db.replace(/"/g, "\"\"")}"`); }
        await c.end();
      })().catch((e) => { console.error(`ERROR: ${e.message}`); process.exit(1); });
    ' "$admin" "$db"
  fi
}

main_run() {
  check_node
  if [ ! -f .env.local ]; then
    log "Creating .env.local from .env.example.local"
    cp .env.example.local .env.local
  fi
  install_deps
  # Like the app: variables already in the environment win over .env.local.
  local db_url=${DATABASE_URL:-$(env_get DATABASE_URL)} redis_url=${REDIS_URL:-$(env_get REDIS_URL)}
  [ -n "$db_url" ] || die "DATABASE_URL is not set in .env.local"
  [ -n "$redis_url" ] || die "REDIS_URL is not set in .env.local"
  ensure_services "$db_url" "$redis_url"
  ensure_database "$db_url"
  # The development build: with src/dev (fakes, dev routes, seed), which the production build leaves out.
  log "Building (npm run build:dev)"
  npm run build:dev
  log "Running migrations"
  node dist/migrate.js
  log "Starting Dispatch: api + worker in one process (node dist/all.js)"
  exec node dist/all.js
}

# ensure_test_tools: what the tests need besides node_modules. Installed from Debian's packages when this runs
# as root with apt-get; otherwise each missing tool is named with how to get it, and the tests are not run.
#   /usr/bin/chromium        the Bull Board e2e test drives it (playwright-core)           package: chromium
#   promtool                 the static tests check and unit-test the alert rules           package: prometheus
#   pgbouncer                the scale-out tests start their own PgBouncer (no service)     package: pgbouncer
#   redis-server, redis-cli  the scale-out tests start their own three-master Redis Cluster package: redis-server
ensure_test_tools() {
  local packages=() missing=()
  [ -x /usr/bin/chromium ] || { packages+=(chromium); missing+=("/usr/bin/chromium (apt-get install -y chromium)"); }
  command -v promtool >/dev/null || { packages+=(prometheus); missing+=("promtool (apt-get install -y prometheus, or a promtool binary from a Prometheus release on PATH)"); }
  command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || { packages+=(pgbouncer); missing+=("pgbouncer (apt-get install -y pgbouncer)"); }
  { command -v redis-server >/dev/null && command -v redis-cli >/dev/null; } || { packages+=(redis-server); missing+=("redis-server and redis-cli (apt-get install -y redis-server)"); }
  (( ${#packages[@]} )) || { log "Test tools present (chromium, promtool, pgbouncer, redis-server)"; return 0; }
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update || die "apt-get update failed"
    # Without recommends: prometheus brings no exporters. No service these packages ship is used by the tests
    # (Debian's pgbouncer may start one on port 6432; the tests start their own on free ports).
    log "Installing ${packages[*]} (apt-get)"
    local with_recommends=("${packages[@]/prometheus/}")
    if [[ " ${packages[*]} " == *" prometheus "* ]]; then
      apt-get install -y --no-install-recommends prometheus || die "apt-get could not install prometheus"
    fi
    if [ -n "${with_recommends[*]// /}" ]; then
      apt-get install -y ${with_recommends[*]} || die "apt-get could not install ${with_recommends[*]}"
    fi
    [ -x /usr/bin/chromium ] || die "chromium was installed but /usr/bin/chromium is missing"
    command -v promtool >/dev/null || die "prometheus was installed but promtool is not on PATH"
    command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || die "pgbouncer was installed but is not found"
  else
    printf 'ERROR: missing test tool: %s\n' "${missing[@]}" >&2
    die "install the tools above (as root, ./install.sh test installs them itself), then run ./install.sh test again"
  fi
}

main_test() {
  check_node
  export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379}
  install_deps
  ensure_test_tools
  ensure_services "$TEST_DATABASE_URL" "$TEST_REDIS_URL"
  local failed=()
  log "Unit, static and integration tests (npm test)"
  npm test || failed+=("npm test")
  log "End-to-end tests (npm run test:e2e)"
  npm run test:e2e || failed+=("npm run test:e2e")
  log "Chaos suite (npm run test:chaos): crashes and outages on its own Postgres and Redis"
  npm run test:chaos || failed+=("npm run test:chaos")
  if (( ${#failed[@]} )); then
    printf 'ERROR: failed: %s\n' "${failed[*]}" >&2
    exit 1
  fi
  log "All tests passed"
}

case "${1:-}" in
  "") main_run ;;
  test) main_test ;;
  *) die "usage: ./install.sh [test]" ;;
esac
