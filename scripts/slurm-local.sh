#!/usr/bin/env bash
# A single-node Slurm (munge + slurmctld + slurmd) on this machine, for the sweep backend's
# tests and for trying `enginelab sweep --slurm` without a cluster. Installs nothing: it needs
# Debian's slurm-wlm and munge (`apt-get install -y --no-install-recommends slurm-wlm munge`)
# and root (the daemons run as root, SlurmUser=root, so jobs run as the submitting user).
#
#   scripts/slurm-local.sh start    write slurm.conf, start what is not running, wait for the node
#   scripts/slurm-local.sh stop     stop slurmd, slurmctld and munged
#   scripts/slurm-local.sh status   print sinfo, or say what is missing (exit 1 when not up)
#
# SLURM_CONF (the file Slurm's commands read; default /etc/slurm/slurm.conf) picks where the
# config goes; its directory also holds the state and the daemon logs (slurm-local/).
# SLURM_LOCAL_WAIT_S bounds the wait for the node to turn idle (default 60).
# Idempotent: `start` on a running cluster with an unchanged config only checks the node.
set -uo pipefail

conf="${SLURM_CONF:-/etc/slurm/slurm.conf}"
export SLURM_CONF="$conf"
conf_dir="$(dirname "$conf")"
state="$conf_dir/slurm-local"
wait_s="${SLURM_LOCAL_WAIT_S:-60}"
node="$(hostname -s)"

die() { echo "slurm-local: $*" >&2; exit 1; }
pid_of() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null && cat "$1"; }

need_tools() {
  local missing=()
  for t in munged mungekey slurmctld slurmd sinfo sbatch scontrol squeue; do
    command -v "$t" >/dev/null 2>&1 || [[ -x "/usr/sbin/$t" ]] || missing+=("$t")
  done
  ((${#missing[@]} == 0)) || die "missing ${missing[*]}: apt-get install -y --no-install-recommends slurm-wlm munge"
  [[ $(id -u) == 0 ]] || die "must run as root (the daemons run as SlurmUser=root)"
}

write_conf() {
  local cpus mem_mb
  cpus="$(nproc)"
  # A modest RealMemory: slurmd drains a node that reports less than the config claims.
  mem_mb="$(awk '/MemTotal/ { m = int($2 / 1024 / 2); print (m > 4096 ? 4096 : m) }' /proc/meminfo)"
  mkdir -p "$conf_dir" "$state/ctld" "$state/d"
  # 127.0.0.1 for both daemons: the host name need not resolve (containers often lack it in /etc/hosts).
  cat >"$conf.new" <<EOF
# Written by enginelab scripts/slurm-local.sh: one node, no accounting database.
ClusterName=enginelab
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MaxArraySize=10001
MaxJobCount=20000
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  if cmp -s "$conf.new" "$conf"; then rm -f "$conf.new"; return 1; fi
  mv "$conf.new" "$conf"
  return 0
}

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  [[ -s /etc/munge/munge.key ]] || mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null ||
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged || die "munged did not start (see /var/log/munge/munged.log)"
  for _ in $(seq 1 20); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0; sleep 0.25; done
  die "munged started but munge -n | unmunge fails (see /var/log/munge/munged.log)"
}

node_state() { sinfo -h -N -n "$node" -o '%T' 2>/dev/null | head -1; }

wait_idle() {
  local s t=0
  while ((t < wait_s * 2)); do
    s="$(node_state)"
    case "$s" in
      idle|mixed|allocated|completing) return 0 ;;
      down*|drain*|drained*) scontrol update NodeName="$node" State=RESUME >/dev/null 2>&1 ;;
    esac
    sleep 0.5; t=$((t + 1))
  done
  die "node $node not idle after ${wait_s}s (sinfo says '${s:-no answer}'); logs: $state/slurmctld.log, $state/slurmd.log"
}

stop_daemons() {
  local p
  for d in slurmd slurmctld; do
    p="$(pid_of "$state/$d.pid")" && kill "$p" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
  done
}

case "${1:-}" in
  start)
    need_tools
    changed=0; write_conf && changed=1
    start_munge
    if ((changed)); then stop_daemons; fi
    pid_of "$state/slurmctld.pid" >/dev/null || /usr/sbin/slurmctld -f "$conf" ||
      die "slurmctld -f $conf failed (see $state/slurmctld.log)"
    for _ in $(seq 1 40); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.25; done
    pid_of "$state/slurmd.pid" >/dev/null || /usr/sbin/slurmd -f "$conf" ||
      die "slurmd -f $conf failed (see $state/slurmd.log)"
    wait_idle
    echo "slurm-local: node $node up in partition debug ($(nproc) CPUs), SLURM_CONF=$conf"
    ;;
  stop)
    stop_daemons
    p="$(pid_of /run/munge/munged.pid)" && kill "$p"
    echo "slurm-local: stopped"
    ;;
  status)
    if ! scontrol ping 2>/dev/null | grep -q UP; then echo "slurm-local: slurmctld not answering (SLURM_CONF=$conf)"; exit 1; fi
    sinfo
    [[ -n "$(node_state)" ]] || exit 1
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
