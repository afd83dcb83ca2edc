#!/usr/bin/env bash
# tools/devcluster.sh -- a throwaway cluster that stays up while you work.
#
#   tools/devcluster.sh start     build, install into a private tree, start; writes .devcluster.env
#   . ./.devcluster.env           PGHOST, PGPORT, PGUSER, PATH for psql, pg_regress, pgbench
#   tools/devcluster.sh install   rebuild, reinstall and restart (pae_cauca is preloaded)
#   tools/devcluster.sh stop      stop it and remove its directory
#
# Same private tree and cluster settings as tools/test.sh (tools/pgenv.sh);
# never touches the system cluster.  For development only: the test
# command (tools/test.sh) always starts its own.
set -euo pipefail
cd "$(dirname "$0")/.."
envfile=$PWD/.devcluster.env
. tools/pgenv.sh

case ${1:-} in
start)
    [[ -f $envfile ]] && { pae_err "already running ($envfile); stop it first"; exit 1; }
    pae_ensure_packages
    pae_build_install
    export PAE_CLUSTER_CONF=${PAE_CLUSTER_CONF-$(pae_test_cluster_conf)}
    pae_cluster_start
    pae_cron_database
    trap - EXIT         # the cluster stays up
    cat >"$envfile" <<ENV
export PAE_TMP=$PAE_TMP PAE_PGBIN=$PAE_PGBIN PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER PGDATABASE=postgres
export PATH=$PAE_PGBIN:\$PATH
ENV
    pae_log "dev cluster up; use: . $envfile"
    ;;
install)
    . "$envfile"
    trap - EXIT         # the cluster stays up
    pae_build_install
    # the library is preloaded: only a restart makes the server run the new one
    pae_as_server_user "$PAE_PGBIN/pg_ctl" -D "$PAE_TMP/data" -l "$PAE_TMP/server.log" -w -t 60 -s \
        -o "-p $PGPORT -k $PAE_TMP" restart -m fast
    ;;
stop)
    [[ -f $envfile ]] || exit 0
    . "$envfile"
    PAE_PGDATA=$PAE_TMP/data
    pae_cleanup || true
    rm -f "$envfile"
    trap - EXIT
    ;;
*)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac
