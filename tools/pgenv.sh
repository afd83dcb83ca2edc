# shellcheck shell=bash
# tools/pgenv.sh -- shared set-up for tools/test.sh and tools/demo.sh.
#
# Source it from a bash script that runs under `set -euo pipefail`:
#
#   . "$(dirname "$0")/pgenv.sh"
#   pae_ensure_packages       # apt-get install what is missing (root), or explain
#   pae_build_install         # make, then make install into a private PostgreSQL tree
#   pae_cluster_start         # throwaway cluster on a unix socket; exports PG* variables
#   ...                       # psql, make installcheck, ...
#   (pae_cluster_stop and removal of the temp dir run from the EXIT trap)
#
# Nothing here touches the system cluster (15/main) or the system's
# PostgreSQL directories: the extension is installed into a private copy of
# the PostgreSQL 15 tree under $PAE_TMP/root, whose binaries find their
# share/ and lib/ directories relative to themselves.  The server listens
# only on a unix socket inside $PAE_TMP.  PostgreSQL refuses to run as root,
# so as root the server runs as the `postgres` OS user (runuser).

PAE_PGVER=15
PAE_PG_CONFIG=${PAE_PG_CONFIG:-/usr/lib/postgresql/$PAE_PGVER/bin/pg_config}
PAE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PAE_PACKAGES=("postgresql-$PAE_PGVER" "postgresql-server-dev-$PAE_PGVER"
              "postgresql-$PAE_PGVER-postgis-3" "postgresql-$PAE_PGVER-pgtap"
              "postgresql-$PAE_PGVER-cron" make gcc libc6-dev
              # BI clients, metrics, the reliability suite (issues 12-14)
              gdal-bin prometheus-postgres-exporter sqlsmith libipc-run-perl
              clang valgrind)
# clang's -fsanitize=fuzzer runtime (tools/fuzz.sh): its own package on Debian 12;
# elsewhere it comes with clang or has another name, so it is asked for only there
if [[ -r /etc/os-release ]] && grep -qx 'VERSION_CODENAME=bookworm' /etc/os-release; then
    PAE_PACKAGES+=(libclang-rt-14-dev)
fi
PAE_TMP=${PAE_TMP:-}        # private tree, data directory, socket, logs
PAE_PGBIN=${PAE_PGBIN:-}    # bin/ of the private tree (set by pae_tree_prepare)
PAE_PGDATA=''
PAE_SERVER_STARTED=0
PAE_CHILD=''                # pid of the command pae_run is waiting for

pae_log() { printf '==> %s\n' "$*"; }
pae_err() { printf 'pae_cauca: %s\n' "$*" >&2; }

pae_is_root() { [[ $(id -u) -eq 0 ]]; }

# Run a server-side program (initdb, pg_ctl) as the right OS user, from a
# directory that user can read.
pae_as_server_user() {
    if pae_is_root; then
        (cd "$PAE_TMP" && runuser -u postgres -- "$@")
    else
        (cd "$PAE_TMP" && "$@")
    fi
}

# Runs a command in the background and waits for it, so that Ctrl-C or TERM
# reaches our trap at once: bash defers traps while a foreground child runs,
# and skips its INT trap altogether when the child catches SIGINT itself (as
# psql does: Ctrl-C would only cancel the current query and the run would go
# on).  Returns the command's exit status.
pae_run() {
    local rc=0
    "$@" &
    PAE_CHILD=$!
    wait "$PAE_CHILD" || rc=$?
    PAE_CHILD=''
    return "$rc"
}

# --- packages ---------------------------------------------------------------

# Prints the packages of PAE_PACKAGES that are not installed.
pae_missing_packages() {
    local status pkg
    status=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PAE_PACKAGES[@]}" 2>/dev/null || true)
    for pkg in "${PAE_PACKAGES[@]}"; do
        grep -qx "$pkg installed" <<<"$status" || printf '%s\n' "$pkg"
    done
}

pae_ensure_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        pae_err "this set-up needs a Debian or Ubuntu system (dpkg/apt); install PostgreSQL $PAE_PGVER," \
                "its server headers, PostGIS 3, pgTAP, make and gcc by hand"
        return 1
    fi
    local -a missing
    mapfile -t missing < <(pae_missing_packages)
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if ! pae_is_root; then
        pae_err "missing system packages: ${missing[*]}"
        pae_err "install them as root, then run this again:"
        pae_err "    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
        pae_err "(or run this command as root and it installs them itself)"
        return 1
    fi
    pae_log "installing missing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || { pae_err "apt-get update failed"; return 1; }
    # Releases whose own archive lacks PostgreSQL 15 (e.g. Ubuntu 22.04/24.04)
    # get it from the PostgreSQL project's repository (apt.postgresql.org),
    # set up by the script postgresql-common ships for exactly this.
    if ! apt-cache policy "postgresql-$PAE_PGVER" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        pae_log "postgresql-$PAE_PGVER is not in this system's archive: adding apt.postgresql.org"
        apt-get install -y -q postgresql-common ca-certificates ||
            { pae_err "could not install postgresql-common"; return 1; }
        /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y ||
            { pae_err "could not add the apt.postgresql.org repository"; return 1; }
    fi
    apt-get install -y -q "${missing[@]}" ||
        { pae_err "apt-get install ${missing[*]} failed"; return 1; }
    mapfile -t missing < <(pae_missing_packages)
    if ((${#missing[@]} > 0)); then
        pae_err "still missing after apt-get install: ${missing[*]}"
        return 1
    fi
}

# --- private PostgreSQL tree ------------------------------------------------

pae_cleanup() {
    local rc=$?
    set +e
    [[ -n $PAE_CHILD ]] && kill -TERM "$PAE_CHILD" 2>/dev/null
    pae_cluster_stop
    if [[ -n $PAE_TMP && -d $PAE_TMP && $(basename "$PAE_TMP") == pae_cauca.* ]]; then
        rm -rf -- "$PAE_TMP"
    fi
    PAE_TMP=''
    return "$rc"
}

# Creates $PAE_TMP and copies the PostgreSQL tree into it (once).
pae_tree_prepare() {
    [[ -n $PAE_TMP && -d $PAE_TMP/root ]] && return 0
    local base bindir sharedir libtop
    [[ -x $PAE_PG_CONFIG ]] || { pae_err "$PAE_PG_CONFIG not found (postgresql-server-dev-$PAE_PGVER missing?)"; return 1; }
    # The postgres OS user must reach the directory; keep the socket path short.
    if pae_is_root; then base=/tmp; else base=${TMPDIR:-/tmp}; fi
    PAE_TMP=$(mktemp -d "$base/pae_cauca.XXXXXX") || { pae_err "mktemp failed"; return 1; }
    if ((${#PAE_TMP} > 80)); then
        rmdir "$PAE_TMP"
        PAE_TMP=$(mktemp -d /tmp/pae_cauca.XXXXXX) || return 1
    fi
    chmod 755 "$PAE_TMP"
    bindir=$("$PAE_PG_CONFIG" --bindir) || return 1
    sharedir=$("$PAE_PG_CONFIG" --sharedir) || return 1
    libtop=$(dirname "$bindir")                      # /usr/lib/postgresql/15
    (
        umask 022
        mkdir -p "$PAE_TMP/root$(dirname "$libtop")" "$PAE_TMP/root$(dirname "$sharedir")" &&
        cp -a "$libtop" "$PAE_TMP/root$libtop" &&
        cp -a "$sharedir" "$PAE_TMP/root$sharedir"
    ) || { pae_err "could not copy the PostgreSQL tree into $PAE_TMP/root"; return 1; }
    PAE_PGBIN=$PAE_TMP/root$bindir
    PAE_PGDATA=$PAE_TMP/data
    export PAE_TMP PAE_PGBIN
}

# make (fails on compile errors) and make install into the private tree.
pae_build_install() {
    pae_tree_prepare || return 1
    local jobs
    jobs=$(nproc 2>/dev/null || echo 2)
    pae_log "building pae_cauca (make -s -j$jobs)"
    if ! (cd "$PAE_ROOT" && make -s -j"$jobs" PG_CONFIG="$PAE_PG_CONFIG"); then
        pae_err "build failed: see the compiler/make errors above"
        return 1
    fi
    pae_log "installing into the private tree $PAE_TMP/root"
    if ! (cd "$PAE_ROOT" && umask 022 &&
          make -s install DESTDIR="$PAE_TMP/root" PG_CONFIG="$PAE_PG_CONFIG" >/dev/null); then
        pae_err "make install DESTDIR=$PAE_TMP/root failed"
        return 1
    fi
}

# --- throwaway cluster ------------------------------------------------------

# Prints a port in 54320..54999 that nothing seems to use.
pae_free_port() {
    local i p rc off=$((RANDOM % 680))
    for ((i = 0; i < 680; i++)); do
        p=$((54320 + (off + i) % 680))
        [[ -e /tmp/.s.PGSQL.$p || -e /var/run/postgresql/.s.PGSQL.$p || -e $PAE_TMP/.s.PGSQL.$p ]] && continue
        rc=0; "$PAE_PGBIN/pg_isready" -q -t 1 -h /var/run/postgresql -p "$p" >/dev/null 2>&1 || rc=$?
        ((rc == 2)) || continue
        rc=0; "$PAE_PGBIN/pg_isready" -q -t 1 -h 127.0.0.1 -p "$p" >/dev/null 2>&1 || rc=$?
        ((rc == 2)) || continue
        printf '%s\n' "$p"
        return 0
    done
    return 1
}

# Server settings of the test and development clusters (tools/test.sh,
# tools/devcluster.sh): pg_cron preloaded, its scheduler working in the
# database pae_cron (pae_cron_database creates it as soon as the server is
# up, so the launcher finds it), running its jobs in background workers (the
# cluster has no TCP listener for pg_cron's default libpq connection to
# localhost).  One setting per line, for PAE_CLUSTER_CONF.
PAE_CRON_DB=pae_cron
pae_test_cluster_conf() {
    printf '%s\n' "shared_preload_libraries = 'pae_cauca,pg_cron'" \
                   "cron.database_name = '$PAE_CRON_DB'" \
                   "cron.use_background_workers = on"
}

# Creates the database pg_cron's launcher works in, when the cluster's
# settings (PAE_CLUSTER_CONF) name it and it does not exist yet.
pae_cron_database() {
    [[ ${PAE_CLUSTER_CONF:-} == *"cron.database_name = '$PAE_CRON_DB'"* ]] || return 0
    if [[ -z $("$PAE_PGBIN/psql" -X -qAtc "SELECT 1 FROM pg_database WHERE datname = '$PAE_CRON_DB'" postgres) ]]; then
        "$PAE_PGBIN/createdb" "$PAE_CRON_DB" || { pae_err "could not create database $PAE_CRON_DB"; return 1; }
    fi
}

pae_cluster_start() {
    pae_tree_prepare || return 1
    local superuser attempt port
    if pae_is_root; then
        id postgres >/dev/null 2>&1 || { pae_err "no 'postgres' OS user (is postgresql-$PAE_PGVER installed?)"; return 1; }
        chown postgres: "$PAE_TMP" || return 1
        superuser=postgres
    else
        superuser=$(id -un)
    fi
    pae_log "initdb $PAE_PGDATA"
    if ! pae_as_server_user "$PAE_PGBIN/initdb" -D "$PAE_PGDATA" -A trust -U "$superuser" \
            -E UTF8 --locale=C.UTF-8 --no-sync >"$PAE_TMP/initdb.log" 2>&1; then
        cat "$PAE_TMP/initdb.log" >&2
        pae_err "initdb failed"
        return 1
    fi
    cat >>"$PAE_PGDATA/postgresql.conf" <<EOF

# pae_cauca throwaway cluster (tools/pgenv.sh)
listen_addresses = ''
unix_socket_directories = '$PAE_TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
log_timezone = 'UTC'
max_locks_per_transaction = 256
max_prepared_transactions = 10
EOF
    # extra settings of the caller, one per line (e.g. shared_preload_libraries)
    if [[ -n ${PAE_CLUSTER_CONF:-} ]]; then
        printf '%s\n' "$PAE_CLUSTER_CONF" >>"$PAE_PGDATA/postgresql.conf"
    fi
    for attempt in 1 2 3 4 5; do
        port=$(pae_free_port) || { pae_err "no free port in 54320..54999"; return 1; }
        if pae_as_server_user "$PAE_PGBIN/pg_ctl" -D "$PAE_PGDATA" -l "$PAE_TMP/server.log" \
                -w -t 60 -s -o "-p $port -k $PAE_TMP" start; then
            PAE_SERVER_STARTED=1
            break
        fi
        pae_err "server did not start on port $port (attempt $attempt)"
        tail -n 20 "$PAE_TMP/server.log" >&2 || true
        pae_as_server_user "$PAE_PGBIN/pg_ctl" -D "$PAE_PGDATA" -s -m immediate stop >/dev/null 2>&1 || true
    done
    ((PAE_SERVER_STARTED)) || { pae_err "could not start the throwaway cluster"; return 1; }
    unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE PGDATA
    export PGHOST=$PAE_TMP PGPORT=$port PGUSER=$superuser PGDATABASE=postgres
    export PATH=$PAE_PGBIN:$PATH
    pae_log "cluster up: PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER ($("$PAE_PGBIN/postgres" --version))"
}

pae_cluster_stop() {
    [[ -n $PAE_PGDATA && -f $PAE_PGDATA/postmaster.pid ]] || { PAE_SERVER_STARTED=0; return 0; }
    local pid
    pid=$(head -n 1 "$PAE_PGDATA/postmaster.pid" 2>/dev/null || true)
    if ! pae_as_server_user "$PAE_PGBIN/pg_ctl" -D "$PAE_PGDATA" -s -m fast -w -t 30 stop >/dev/null 2>&1; then
        pae_as_server_user "$PAE_PGBIN/pg_ctl" -D "$PAE_PGDATA" -s -m immediate -w -t 30 stop >/dev/null 2>&1 ||
            { [[ $pid =~ ^[0-9]+$ ]] && kill -KILL "$pid" 2>/dev/null; } || true
    fi
    PAE_SERVER_STARTED=0
}

trap pae_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
