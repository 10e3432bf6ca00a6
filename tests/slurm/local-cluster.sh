#!/usr/bin/env bash
# A private, one-node Slurm cluster on this machine, for tests.
#
#   local-cluster.sh start        install slurm+munge if missing, start munged,
#                                 slurmctld, slurmd; wait until the node is idle
#   local-cluster.sh stop         cancel our jobs, stop our daemons, leave nothing behind
#   local-cluster.sh status       exit 0 = up, 3 = stopped, 1 = partly up / broken
#   local-cluster.sh env          print `export ...` lines for a test to eval/source
#   local-cluster.sh run CMD...   start, run CMD with the cluster up (SLURM_CONF
#                                 exported), stop whatever happens, exit with CMD's code
#
# Everything (config, munge key/socket, state, spool, logs, pid files) lives in
# $CKPTLAB_SLURM_DIR (default /tmp/ckptlab-slurm). Nothing is written to
# /etc/slurm; daemons and clients find the config through SLURM_CONF. The
# daemons listen on their own ports (first free pair from
# $CKPTLAB_SLURM_PORT_BASE, default 16817/16818), so a real cluster on the
# standard ports 6817/6818, or another copy of this script using another state
# folder, is not disturbed. Only processes whose pid files are in our state
# folder and whose command line names our config/socket are ever signalled.
#
# Needs root (slurmd must run as root; SlurmUser=root). Debian 12 packages:
# slurmctld slurmd slurm-client munge (22.05.8), installed with apt-get if missing.
#
# Environment knobs:
#   CKPTLAB_SLURM_DIR        state folder (default /tmp/ckptlab-slurm)
#   CKPTLAB_SLURM_PORT_BASE  first slurmctld port to try (default 16817)
#   CKPTLAB_SLURM_TIMEOUT    seconds to wait for the node to become idle (default 60)
#   CKPTLAB_SLURM_NO_INSTALL=1  never run apt-get; fail if the tools are missing
set -euo pipefail

STATE=${CKPTLAB_SLURM_DIR:-/tmp/ckptlab-slurm}
case $STATE in /*) ;; *) STATE=$PWD/$STATE ;; esac
STATE=${STATE%/}
CONF=$STATE/etc/slurm.conf
MUNGE_DIR=$STATE/munge
MUNGE_SOCK=$MUNGE_DIR/munged.sock
MUNGE_KEY=$MUNGE_DIR/munge.key
MUNGE_PID=$MUNGE_DIR/munged.pid
LOG_DIR=$STATE/log
RUN_DIR=$STATE/run
CTLD_PID=$RUN_DIR/slurmctld.pid
SLURMD_PID=$RUN_DIR/slurmd.pid
CLUSTER_NAME=ckptlab
PARTITION=debug
TIMEOUT=${CKPTLAB_SLURM_TIMEOUT:-60}
PORT_BASE=${CKPTLAB_SLURM_PORT_BASE:-16817}
# Unix socket paths (munged.sock, slurmd's per-step sockets in the spool
# folder) must fit in sun_path (108 bytes).
[ ${#STATE} -le 70 ] || { echo "[local-cluster] ERROR: CKPTLAB_SLURM_DIR too long (${#STATE} > 70 chars): $STATE" >&2; exit 1; }

export PATH=$PATH:/usr/sbin:/sbin

log() { printf '[local-cluster] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- install ---
tools_missing() {
    local t
    for t in slurmctld slurmd sinfo squeue sbatch scancel scontrol munged munge unmunge; do
        command -v "$t" >/dev/null 2>&1 || return 0
    done
    return 1
}

install_packages() {
    tools_missing || return 0
    [ "${CKPTLAB_SLURM_NO_INSTALL:-0}" = 1 ] && die "slurm/munge not installed and CKPTLAB_SLURM_NO_INSTALL=1"
    [ "$(id -u)" = 0 ] || die "slurm/munge not installed and not root; run: apt-get install slurmctld slurmd slurm-client munge"
    command -v apt-get >/dev/null || die "slurm/munge not installed and no apt-get"
    log "installing slurmctld slurmd slurm-client munge with apt-get"
    # Keep the packages' maintainer scripts from starting system-wide
    # daemons (invoke-rc.d honours policy-rc.d; exit 101 = action forbidden).
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && made_policy=1
    fi
    local pkgs=(slurmctld slurmd slurm-client munge) rc=0 APT_LOG=$STATE/apt.log
    export DEBIAN_FRONTEND=noninteractive
    local opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --no-install-recommends)
    if ! apt-get install "${opts[@]}" "${pkgs[@]}" >"$APT_LOG" 2>&1; then
        log "apt-get install failed; running apt-get update and retrying"
        apt-get update -q >>"$APT_LOG" 2>&1 || true
        apt-get install "${opts[@]}" "${pkgs[@]}" >>"$APT_LOG" 2>&1 || rc=$?
    fi
    [ $made_policy = 1 ] && rm -f $policy
    if [ $rc != 0 ]; then
        tail -n 20 "$APT_LOG" >&2
        die "apt-get install ${pkgs[*]} failed (log: $APT_LOG)"
    fi
    ! tools_missing || die "packages installed but tools still missing"
}

# ------------------------------------------------------------- processes ---
# pid_of FILE NEEDLE: print the pid from FILE if that process is alive and its
# command line contains NEEDLE (so a recycled pid is never taken for ours).
pid_of() {
    local f=$1 needle=$2 pid
    [ -r "$f" ] || return 1
    pid=$(tr -dc '0-9' <"$f")
    [ -n "$pid" ] && [ -r /proc/"$pid"/cmdline ] || return 1
    tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | grep -qF -- "$needle" || return 1
    # a zombie is as good as gone
    [ "$(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null)" != Z ] || return 1
    echo "$pid"
}
munged_pid() { pid_of "$MUNGE_PID" "$MUNGE_SOCK"; }
ctld_pid()   { pid_of "$CTLD_PID" "$CONF"; }
slurmd_pid() { pid_of "$SLURMD_PID" "$CONF"; }

# stop_pid NAME PID: SIGTERM, wait up to 15 s, then SIGKILL.
stop_pid() {
    local name=$1 pid=$2 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 150; i++)); do
        [ -d /proc/"$pid" ] && [ "$(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null)" != Z ] || return 0
        sleep 0.1
    done
    log "$name (pid $pid) did not exit after SIGTERM; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
}

# Processes left over from our jobs: slurmstepd and job processes carry our
# SLURM_CONF in their environment (the daemons were started with it, and sbatch
# exports the submitter's environment). Never our own ancestors.
leftover_pids() {
    local self_chain=" " p=$$ pid d
    while [ -n "$p" ] && [ "$p" != 0 ]; do
        self_chain+="$p "
        p=$(awk '{print $4}' /proc/"$p"/stat 2>/dev/null || true)
    done
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        case $self_chain in *" $pid "*) continue ;; esac
        grep -qzxF "SLURM_CONF=$CONF" "$d/environ" 2>/dev/null || continue
        if [ "$(cat "$d/comm" 2>/dev/null)" = slurmstepd ] || grep -qz '^SLURM_JOB_ID=' "$d/environ" 2>/dev/null; then
            echo "$pid"
        fi
    done
}

# ------------------------------------------------------------------ ports ---
port_listening() { # PORT -> 0 if something listens on it (tcp/tcp6)
    local hex
    hex=$(printf '%04X' "$1")
    awk -v h=":$hex" 'NR > 1 && $4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

pick_ports() {
    local p=$PORT_BASE
    while port_listening "$p" || port_listening $((p + 1)); do
        p=$((p + 2))
        [ $p -lt $((PORT_BASE + 200)) ] || die "no free port pair in $PORT_BASE..$((PORT_BASE + 200))"
    done
    CTLD_PORT=$p
    SLURMD_PORT=$((p + 1))
}

# ----------------------------------------------------------------- config ---
write_config() {
    NODE=$(hostname -s 2>/dev/null || true)
    [ -n "$NODE" ] || NODE=$(cat /proc/sys/kernel/hostname)
    NODE=${NODE%%.*}
    local line cpus mem
    line=$(slurmd -C 2>/dev/null | head -n 1 || true)
    cpus=$(sed -n 's/.*\bCPUs=\([0-9]*\).*/\1/p' <<<"$line")
    mem=$(sed -n 's/.*\bRealMemory=\([0-9]*\).*/\1/p' <<<"$line")
    [ -n "$cpus" ] || cpus=$(nproc)
    [ -n "$mem" ] || mem=$(free -m | awk '/^Mem:/ {print $2}')
    local defmem=$((mem / cpus))
    pick_ports
    mkdir -p "$STATE/etc"
    cat >"$CONF.tmp" <<EOF
# Generated by tests/slurm/local-cluster.sh on $(date -u +%FT%TZ). Do not edit.
ClusterName=$CLUSTER_NAME
# The node name is this machine's short hostname; the address is pinned to
# 127.0.0.1 so name resolution of the hostname does not matter.
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCK
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$STATE/etc/plugstack.conf
# No cgroups in the sandbox/CI container: track job processes via /proc.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
# Run the main scheduler every second (default 60): a throttled array's next
# task starts ~1-2 s sooner after the previous one ends (measured: 3 x 1 s
# tasks, %2, 6.0/5.0/5.0 s -> 4.0/4.0 s).
SchedulerParameters=sched_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Without a default, a job with no --mem asks for the whole node's memory and
# jobs could only run one at a time.
DefMemPerCPU=$defmem
ReturnToService=2
# The daemons take the node description below as the truth (a flat 1 thread
# per core layout), so 1-CPU tasks can share the node on any CPU topology.
SlurmdParameters=config_overrides
MailProg=/bin/true
KillWait=5
# Finished jobs stay visible to squeue -t all / scontrol show job this long.
MinJobAge=300
NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$NODE CPUs=$cpus Boards=1 SocketsPerBoard=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=$mem State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$CONF.tmp" "$CONF"
    : >"$STATE/etc/plugstack.conf"
}

# ------------------------------------------------------------------ munge ---
start_munged() {
    if munged_pid >/dev/null; then return 0; fi
    mkdir -p "$MUNGE_DIR"
    # munged insists that its socket's folder be searchable by all (x for
    # o); the key itself is 0400.
    chmod 755 "$MUNGE_DIR"
    if [ ! -s "$MUNGE_KEY" ]; then
        if command -v mungekey >/dev/null; then
            mungekey --create --keyfile="$MUNGE_KEY" --force
        else
            dd if=/dev/urandom of="$MUNGE_KEY" bs=1024 count=1 status=none
        fi
    fi
    chmod 400 "$MUNGE_KEY"
    rm -f "$MUNGE_PID" "$MUNGE_SOCK" "$MUNGE_SOCK.lock"
    local args=(--socket="$MUNGE_SOCK" --key-file="$MUNGE_KEY" --pid-file="$MUNGE_PID"
        --log-file="$MUNGE_DIR/munged.log" --seed-file="$MUNGE_DIR/munged.seed")
    # munged refuses directories it considers insecure (e.g. a parent owned
    # by another user); --force turns those refusals into warnings.
    # 9>&-: the daemons must not inherit (and so hold) our lock.
    if ! munged "${args[@]}" >"$MUNGE_DIR/munged.out" 2>&1 </dev/null 9>&-; then
        log "munged refused to start ($(tail -n 1 "$MUNGE_DIR/munged.out")); retrying with --force"
        munged --force "${args[@]}" >>"$MUNGE_DIR/munged.out" 2>&1 </dev/null 9>&- || {
            cat "$MUNGE_DIR/munged.out" >&2
            die "munged did not start"
        }
    fi
    local i
    for ((i = 0; i < 50; i++)); do
        [ -S "$MUNGE_SOCK" ] && munged_pid >/dev/null && break
        sleep 0.1
    done
    munge -n --socket="$MUNGE_SOCK" | unmunge --socket="$MUNGE_SOCK" >/dev/null 2>&1 || {
        tail -n 20 "$MUNGE_DIR/munged.log" >&2 || true
        die "munge -n | unmunge failed against $MUNGE_SOCK"
    }
}

# ------------------------------------------------------------------ slurm ---
node_state() { SLURM_CONF=$CONF timeout 10 sinfo -h -o %T 2>/dev/null | head -n 1; }

show_logs() {
    local f
    for f in "$LOG_DIR/slurmctld.out" "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.out" "$LOG_DIR/slurmd.log" "$MUNGE_DIR/munged.log"; do
        [ -s "$f" ] || continue
        printf -- '----- tail of %s -----\n' "$f" >&2
        tail -n 25 "$f" >&2
    done
}

all_up() { munged_pid >/dev/null && ctld_pid >/dev/null && slurmd_pid >/dev/null; }
any_up() { munged_pid >/dev/null || ctld_pid >/dev/null || slurmd_pid >/dev/null; }

do_start() {
    local t0 t1
    t0=$(now_ms)
    install_packages
    if all_up && [ -f "$CONF" ] && [ "$(node_state)" != "" ]; then
        log "already running (state $(node_state), SLURM_CONF=$CONF)"
        return 0
    fi
    if any_up; then
        log "partly running; restarting"
        do_stop_locked
    fi
    mkdir -p "$STATE" "$LOG_DIR" "$RUN_DIR" "$STATE/spool"
    chmod 755 "$STATE"
    # A fresh cluster each time: no jobs or node states from an earlier run.
    rm -rf "$STATE/ctld" "$STATE/spool"
    mkdir -p "$STATE/ctld" "$STATE/spool"
    rm -f "$LOG_DIR"/*.log "$LOG_DIR"/*.out "$CTLD_PID" "$SLURMD_PID"
    write_config
    start_munged
    export SLURM_CONF=$CONF
    # -f puts our config path on the command line, which is how pid_of
    # recognises our daemons. Both daemonize and write their pid files.
    slurmctld -f "$CONF" >"$LOG_DIR/slurmctld.out" 2>&1 </dev/null 9>&- || {
        show_logs
        die "slurmctld failed to start"
    }
    # Start slurmd only once the controller answers: a slurmd whose first
    # registration fails retries only a second later.
    local i
    for ((i = 0; i < 100; i++)); do
        timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP' && break
        ctld_pid >/dev/null || [ $i -lt 10 ] || { show_logs; die "slurmctld exited during start-up"; }
        sleep 0.05
    done
    slurmd -f "$CONF" -N "$NODE" >"$LOG_DIR/slurmd.out" 2>&1 </dev/null 9>&- || {
        show_logs
        die "slurmd failed to start"
    }
    local st="" deadline=$(($(date +%s) + TIMEOUT))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        st=$(node_state || true)
        case $st in idle | mixed | allocated) break ;; esac
        if ! ctld_pid >/dev/null || ! slurmd_pid >/dev/null; then
            sleep 0.5 # pid files may lag right after daemonizing
            if ! ctld_pid >/dev/null || ! slurmd_pid >/dev/null; then
                show_logs
                die "a Slurm daemon exited during start-up (slurmctld pid: $(ctld_pid || echo none), slurmd pid: $(slurmd_pid || echo none))"
            fi
        fi
        sleep 0.2
    done
    case $st in idle | mixed | allocated) ;; *)
        show_logs
        SLURM_CONF=$CONF timeout 10 sinfo -N -l >&2 || true
        die "node $NODE not idle after ${TIMEOUT}s (sinfo state: '${st:-no answer}')"
        ;;
    esac
    t1=$(now_ms)
    log "up: node $NODE $st, ports $CTLD_PORT/$SLURMD_PORT, SLURM_CONF=$CONF ($((t1 - t0)) ms)"
}

do_stop_locked() {
    local t0 t1 pid i
    t0=$(now_ms)
    # Cancel our jobs while the controller is still up so slurmstepd cleans up.
    if ctld_pid >/dev/null && slurmd_pid >/dev/null; then
        local ids
        ids=$(SLURM_CONF=$CONF timeout 10 squeue -h -o %A 2>/dev/null || true)
        if [ -n "$ids" ]; then
            # shellcheck disable=SC2086
            SLURM_CONF=$CONF timeout 10 scancel $ids 2>/dev/null || true
            for ((i = 0; i < 100; i++)); do
                [ -z "$(SLURM_CONF=$CONF timeout 10 squeue -h -o %A 2>/dev/null)" ] && break
                sleep 0.2
            done
        fi
    fi
    if pid=$(slurmd_pid); then stop_pid slurmd "$pid"; fi
    if pid=$(ctld_pid); then stop_pid slurmctld "$pid"; fi
    # Anything still running from our jobs (slurmstepd, job scripts).
    local left
    left=$(leftover_pids)
    if [ -n "$left" ]; then
        log "killing leftover job processes: ${left//$'\n'/ }"
        # shellcheck disable=SC2086
        kill -KILL $left 2>/dev/null || true
    fi
    if pid=$(munged_pid); then stop_pid munged "$pid"; fi
    rm -f "$CTLD_PID" "$SLURMD_PID" "$MUNGE_PID"
    t1=$(now_ms)
    log "stopped ($((t1 - t0)) ms)"
}

do_stop() {
    if ! any_up && [ -z "$(leftover_pids)" ]; then
        log "not running"
        return 0
    fi
    do_stop_locked
}

do_status() {
    local m c d st
    m=$(munged_pid || echo -)
    c=$(ctld_pid || echo -)
    d=$(slurmd_pid || echo -)
    echo "state dir: $STATE"
    echo "munged:    ${m/#-/not running}"
    echo "slurmctld: ${c/#-/not running}"
    echo "slurmd:    ${d/#-/not running}"
    if [ "$m$c$d" = "---" ]; then return 3; fi
    st=$(node_state || true)
    echo "node:      ${st:-no answer}"
    [ "$m" != - ] && [ "$c" != - ] && [ "$d" != - ] && [ -n "$st" ] || return 1
    SLURM_CONF=$CONF sinfo
}

do_env() {
    echo "export SLURM_CONF=$CONF"
    echo "export CKPTLAB_SLURM_DIR=$STATE"
    echo "export CKPTLAB_SLURM_PARTITION=$PARTITION"
    echo "export CKPTLAB_MUNGE_SOCKET=$MUNGE_SOCK"
}

with_lock() {
    mkdir -p "$STATE"
    exec 9>"$STATE/.lock"
    flock -w 120 9 || die "could not lock $STATE/.lock"
    "$@"
    local rc=$?
    exec 9>&-
    return $rc
}

# descendants PID: PID and every process below it (from /proc, no procps).
descendants() {
    cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
        { pid = $1; s = $0; sub(/.*\) /, "", s); split(s, f, " "); parent[pid] = f[2] }
        END {
            keep[root] = 1; changed = 1
            while (changed) {
                changed = 0
                for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 }
            }
            for (p in keep) printf "%s ", p
        }'
}

# alive PID...: true if any of them is still a live (non-zombie) process
alive() {
    local p
    for p in "$@"; do
        [ -r /proc/"$p"/stat ] && [ "$(awk '{print $3}' /proc/"$p"/stat 2>/dev/null)" != Z ] && return 0
    done
    return 1
}

RUN_CHILD=""
# on_signal SIG CODE: pass the signal on to CMD and everything it started,
# give them 10 s, SIGKILL what is left, then exit (the EXIT trap stops the cluster).
on_signal() {
    local i pids
    if [ -n "$RUN_CHILD" ] && kill -0 "$RUN_CHILD" 2>/dev/null; then
        pids=$(descendants "$RUN_CHILD")
        # shellcheck disable=SC2086
        kill -"$1" $pids 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            # shellcheck disable=SC2086
            alive $pids || break
            sleep 0.1
        done
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
    fi
    exit "$2"
}

do_run() {
    [ $# -gt 0 ] || die "usage: $0 run CMD [ARGS...]"
    local rc=0
    # Stop whatever happens: normal exit, failure of start, or a signal.
    trap 'trap - EXIT; with_lock do_stop || true' EXIT
    trap 'on_signal INT 130' INT
    trap 'on_signal TERM 143' TERM
    trap 'on_signal HUP 129' HUP
    with_lock do_start
    export SLURM_CONF=$CONF CKPTLAB_SLURM_DIR=$STATE CKPTLAB_SLURM_PARTITION=$PARTITION CKPTLAB_MUNGE_SOCKET=$MUNGE_SOCK
    # CMD runs in the background so that our traps fire at once on a signal
    # (bash defers traps while a foreground command runs); it keeps our stdin.
    exec 3<&0
    "$@" <&3 3<&- &
    RUN_CHILD=$!
    wait "$RUN_CHILD" || rc=$?
    RUN_CHILD=""
    trap - EXIT INT TERM HUP
    with_lock do_stop || true
    return $rc
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
start) with_lock do_start ;;
stop) with_lock do_stop ;;
status) do_status ;;
env) do_env ;;
run) do_run "$@" ;;
*)
    sed -n '2,12s/^# \{0,1\}//p' "$0" >&2
    exit 2
    ;;
esac
