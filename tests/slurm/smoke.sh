#!/usr/bin/env bash
# Smoke test of the private Slurm cluster (tests/slurm/local-cluster.sh):
#   1. a 3-task job array (--array=0-2%2 --cpus-per-task=1), each task writes
#      a file; wait with squeue; all 3 files must exist; at most 2 tasks (the
#      %2 throttle) may run at once, and 2 should (2 cores, CR_Core_Memory).
#   2. an array whose task 1 sleeps 300 s; scancel JOBID_1; tasks 0 and 2
#      must finish, task 1 must leave squeue without writing its file.
#   3. record what squeue -t all, scontrol show job and sacct (no accounting
#      storage) print and exit with for finished and cancelled tasks.
# Usage: tests/slurm/smoke.sh   (needs root; starts and stops the cluster)
# Exit 0 when every check passes.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "${1:-}" != --inner ]; then
    exec "$HERE/local-cluster.sh" run "$HERE/smoke.sh" --inner
fi

: "${SLURM_CONF:?run through local-cluster.sh run}"
W=$(mktemp -d "${CKPTLAB_SLURM_DIR:-/tmp}/smoke.XXXXXX")
FAILS=0
T0=$(date +%s%3N)
say() { printf '[smoke] %s\n' "$*"; }
ok() { say "PASS: $*"; }
bad() { say "FAIL: $*"; FAILS=$((FAILS + 1)); }
ms() { echo $(($(date +%s%3N) - T0)); }
# show LABEL CMD...: print the command, its output verbatim and its exit code
show() {
    local label=$1 out rc=0
    shift
    out=$("$@" 2>&1) || rc=$?
    printf -- '--- %s: $ %s   (exit %d)\n%s\n' "$label" "$*" "$rc" "$out"
}
# wait_gone JOB SECONDS: wait until squeue lists nothing for JOB
wait_gone() {
    local job=$1 limit=$2 i
    for ((i = 0; i < limit * 5; i++)); do
        [ -z "$(squeue -h -j "$job" -o %i 2>/dev/null)" ] && return 0
        sleep 0.2
    done
    return 1
}

say "cluster: $(sinfo -h -o '%P %a %D %T %N %c cpus')  ($(sinfo -V))"

# ------------------------------------------------------------------ test 1 ---
mkdir -p "$W/a1"
t=$(date +%s%3N)
J1=$(sbatch --parsable --job-name=smoke-array --array=0-2%2 --cpus-per-task=1 \
    --output="$W/a1/slurm-%A_%a.out" \
    --wrap="sleep 3; echo \"task \$SLURM_ARRAY_TASK_ID of \$SLURM_ARRAY_JOB_ID on \$(hostname -s)\" > $W/a1/task_\$SLURM_ARRAY_TASK_ID.txt")
say "test 1: submitted array job $J1"
maxrun=0
samples=""
for ((i = 0; i < 300; i++)); do
    q=$(squeue -h -j "$J1" -o '%i %T' 2>/dev/null || true)
    [ -z "$q" ] && break
    n=$(grep -c ' RUNNING$' <<<"$q" || true)
    [ "$n" -gt "$maxrun" ] && maxrun=$n && samples=$(squeue -j "$J1")
    sleep 0.2
done
t1=$(( $(date +%s%3N) - t ))
if [ -n "$(squeue -h -j "$J1" -o %i 2>/dev/null)" ]; then bad "array $J1 still queued after 60 s"; fi
say "test 1: array of 3 x 3 s finished in $t1 ms, max tasks running at once: $maxrun"
printf -- '--- squeue -j %s while %d tasks ran:\n%s\n' "$J1" "$maxrun" "$samples"
missing=0
for k in 0 1 2; do
    if [ -s "$W/a1/task_$k.txt" ]; then say "  task_$k.txt: $(cat "$W/a1/task_$k.txt")"; else missing=1; say "  task_$k.txt missing"; fi
done
if [ $missing = 0 ]; then ok "all 3 array tasks wrote their files"; else bad "array task files missing"; fi
if [ "$maxrun" -le 2 ]; then ok "throttle %2 respected (max $maxrun running)"; else bad "throttle %2 broken: $maxrun running"; fi
if [ "$maxrun" -eq 2 ]; then ok "2 one-CPU tasks ran at once on the node"; else bad "tasks did not run concurrently (max $maxrun)"; fi

show "finished: squeue (default states)" squeue -j "$J1"
show "finished: squeue -t all" squeue -t all -j "$J1"
show "finished: squeue -t all -h -o '%i|%A|%K|%T|%r'" squeue -t all -h -j "$J1" -o '%i|%A|%K|%T|%r'
show "finished: scontrol show job -o ${J1}_0" scontrol show job -o "${J1}_0"
show "finished: sacct -j $J1" sacct -j "$J1"
show "finished: sacct -n -P -j $J1 -o JobID,State,ExitCode" sacct -n -P -j "$J1" -o JobID,State,ExitCode

# ------------------------------------------------------------------ test 2 ---
mkdir -p "$W/a2"
cat >"$W/a2/job.sh" <<EOF
#!/bin/bash
if [ "\$SLURM_ARRAY_TASK_ID" = 1 ]; then sleep 300; fi
echo "task \$SLURM_ARRAY_TASK_ID done" > $W/a2/task_\$SLURM_ARRAY_TASK_ID.txt
EOF
t=$(date +%s%3N)
J2=$(sbatch --parsable --job-name=smoke-cancel --array=0-2 --cpus-per-task=1 \
    --output="$W/a2/slurm-%A_%a.out" "$W/a2/job.sh")
say "test 2: submitted array job $J2 (task 1 sleeps 300 s)"
st=""
for ((i = 0; i < 300; i++)); do
    st=$(squeue -h -j "${J2}_1" -o %T 2>/dev/null || true)
    [ "$st" = RUNNING ] && break
    sleep 0.2
done
[ "$st" = RUNNING ] || bad "task ${J2}_1 never ran (state '$st')"
show "before cancel: squeue -j $J2" squeue -j "$J2"
show "scancel ${J2}_1" scancel "${J2}_1"
tc=$(date +%s%3N)
if wait_gone "$J2" 60; then
    t2=$(( $(date +%s%3N) - t ))
    say "test 2: whole array gone from squeue $t2 ms after submit, $(( $(date +%s%3N) - tc )) ms after scancel"
    ok "array $J2 left squeue after scancel of task 1"
else
    bad "array $J2 still in squeue 60 s after scancel"
    squeue -j "$J2" || true
fi
for k in 0 2; do
    if [ -s "$W/a2/task_$k.txt" ]; then ok "task $k finished and wrote its file"; else bad "task $k file missing"; fi
done
if [ ! -e "$W/a2/task_1.txt" ]; then ok "cancelled task 1 wrote no file"; else bad "cancelled task 1 wrote its file"; fi
if [ -z "$(squeue -h -j "${J2}_1" -o %i 2>/dev/null)" ]; then ok "task ${J2}_1 not in squeue"; else bad "task ${J2}_1 still in squeue"; fi
# task 1's "sleep 300" must be gone too (only sleeps from our job count)
for p in $(pgrep -x sleep || true); do
    if grep -qzx "SLURM_ARRAY_JOB_ID=$J2" "/proc/$p/environ" 2>/dev/null; then bad "task 1's sleep (pid $p) survived scancel"; fi
done

show "cancelled: squeue -j ${J2}_1 (default states)" squeue -j "${J2}_1"
show "cancelled: squeue -t all -j $J2" squeue -t all -j "$J2"
show "cancelled: squeue -t all -h -o '%i|%A|%K|%T|%r'" squeue -t all -h -j "$J2" -o '%i|%A|%K|%T|%r'
show "cancelled: scontrol show job -o ${J2}_1" scontrol show job -o "${J2}_1"
show "cancelled: scontrol show job -o ${J2}_0" scontrol show job -o "${J2}_0"
show "cancelled: sacct -j ${J2}_1" sacct -j "${J2}_1"
show "cancelled: sacct -n -P -j $J2 -o JobID,State,ExitCode" sacct -n -P -j "$J2" -o JobID,State,ExitCode
# ------------------------------------------------------------------ test 3 ---
# Pending array tasks are folded into one squeue line unless -r is given;
# scancel of the array id cancels running and pending tasks alike.
J3=$(sbatch --parsable --job-name=smoke-fold --array=0-5%2 --cpus-per-task=1 --output=/dev/null --wrap="sleep 300")
for ((i = 0; i < 150; i++)); do
    [ "$(squeue -h -j "$J3" -t R -o %i | wc -l)" -ge 2 ] && break
    sleep 0.2
done
show "pending folded: squeue -j $J3" squeue -j "$J3"
show "pending folded: squeue -h -o '%i|%T|%r'" squeue -h -j "$J3" -o '%i|%T|%r'
show "pending expanded: squeue -r -h -o '%i|%T|%r'" squeue -r -h -j "$J3" -o '%i|%T|%r'
show "scancel $J3 (whole array)" scancel "$J3"
if wait_gone "$J3" 30; then ok "whole-array scancel emptied squeue"; else bad "array $J3 still queued after scancel"; fi
show "whole array cancelled: squeue -t all -r -h -o '%i|%T|%r'" squeue -t all -r -h -j "$J3" -o '%i|%T|%r'
show "whole array cancelled: scontrol show job -o ${J3}_4 (never started)" scontrol show job -o "${J3}_4"

# A task that fails: what a non-zero exit looks like without accounting.
# shellcheck disable=SC2016 # expanded by the job, not here
J4=$(sbatch --parsable --job-name=smoke-fail --array=0-1 --output=/dev/null --wrap='exit $((3 * SLURM_ARRAY_TASK_ID))')
wait_gone "$J4" 30 || bad "array $J4 still queued"
show "failed task: squeue -t all -r -h -o '%i|%T|%r'" squeue -t all -r -h -j "$J4" -o '%i|%T|%r'
fst=$(scontrol show job -o "${J4}_1" | grep -o 'JobState=[A-Z]* .*ExitCode=[0-9:]*' | sed 's/ .* / /')
if [ "$fst" = "JobState=FAILED ExitCode=3:0" ]; then ok "failed task reads '$fst'"; else bad "failed task reads '$fst'"; fi

show "unknown job: squeue -j 999999" squeue -j 999999
show "unknown job: scontrol show job 999999" scontrol show job 999999
show "no accounting: sacct" sacct

rm -rf "$W"
say "summary: $FAILS failure(s); test 1 ${t1} ms; total $(ms) ms with the cluster up"
[ "$FAILS" = 0 ]
