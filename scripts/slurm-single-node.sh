#!/bin/sh
# A throw-away single-node Slurm in one directory (munge, slurmctld, slurmd; no accounting), for
# the Slurm tests and bench. Nothing outside DIR is used: own munge key and socket, own ports,
# own state. Needs root (slurmd runs jobs as their submitter) and Debian's slurm-wlm and munge.
#
#   scripts/slurm-single-node.sh start DIR   # prints `export SLURM_CONF=DIR/slurm.conf` on success
#   scripts/slurm-single-node.sh stop DIR
#
# `start` exits 77 with a one-line reason on stderr when Slurm cannot run here (the tests skip).
set -u
cmd=${1:-}; S=${2:-}
[ -n "$cmd" ] && [ -n "$S" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

stop() {
    for f in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/pid"; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
    done
    # Give the daemons a moment to exit, then make sure.
    sleep 0.5
    for f in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/pid"; do
        [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
        rm -f "$f"
    done
    return 0
}

skip() { echo "slurm: $*" >&2; stop; exit 77; }

case "$cmd" in
stop) stop; exit 0 ;;
start) ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

[ "$(id -u)" = 0 ] || skip "needs root (slurmd must run as root to start jobs)"
for tool in munged slurmctld slurmd sbatch scontrol; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (apt-get install slurm-wlm munge)"
done

# Two free TCP ports for slurmctld and slurmd.
ports=$(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))' 2>/dev/null) || skip "cannot pick free ports (python3 missing)"
set -- $ports; CTLD_PORT=$1; SLURMD_PORT=$2

mkdir -p "$S/state" "$S/spool" "$S/munge" || skip "cannot create $S"
chmod 700 "$S/munge"
dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$S/munge/munge.key"
munged --key-file="$S/munge/munge.key" --socket="$S/munge/sock" --pid-file="$S/munge/pid" \
       --log-file="$S/munge/log" --seed-file="$S/munge/seed" -f >/dev/null 2>"$S/munge/start.err" \
    || skip "munged did not start: $(tail -1 "$S/munge/start.err")"

HOST=$(hostname)
CPUS=$(nproc)
# A bit under the free memory, so slurmd does not drain the node for having less than configured.
MEM=$(awk '/MemAvailable/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
cat >"$S/slurm.conf" <<EOF
ClusterName=agontest
SlurmctldHost=$HOST
AuthType=auth/munge
AuthInfo=socket=$S/munge/sock
CryptoType=crypto/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MinJobAge=600
MaxArraySize=10001
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:64
EOF
export SLURM_CONF="$S/slurm.conf"
slurmctld -c >"$S/slurmctld.start" 2>&1 || skip "slurmctld did not start: $(tail -1 "$S/slurmctld.start")"
slurmd >"$S/slurmd.start" 2>&1 || skip "slurmd did not start: $(tail -1 "$S/slurmd.start")"

# Wait (up to 20 s) for the node to be idle.
i=0
while [ $i -lt 40 ]; do
    state=$(sinfo -h -o '%t' 2>/dev/null | head -1)
    case "$state" in idle*|mix*|alloc*) echo "export SLURM_CONF=$S/slurm.conf"; exit 0 ;; esac
    sleep 0.5; i=$((i + 1))
done
skip "the node never became idle (sinfo: ${state:-no answer}); see $S/slurmctld.log"
