#!/usr/bin/env bash
# Installs slurm-wlm and munge where they are missing (Debian), writes
# /etc/slurm/slurm.conf from .ci/slurm/slurm.conf for this host and starts
# munge, slurmctld and slurmd as root; waits until the node is idle.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v sbatch >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq slurm-wlm munge >/dev/null
fi
host="$(hostname -s)"
cpus="$(nproc)"
mem="$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)"
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/log/munge /var/lib/munge /etc/munge
sed -e "s/@HOST@/$host/g" -e "s/@CPUS@/$cpus/g" -e "s/@MEM@/$mem/g" "$here/slurm.conf" > /etc/slurm/slurm.conf
# munge: a key, then the daemon (as root: --force accepts root-owned files).
if [ ! -s /etc/munge/munge.key ]; then
	dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown -R root:root /etc/munge /var/lib/munge /var/log/munge /run/munge
chmod 700 /etc/munge /var/lib/munge /var/log/munge
chmod 755 /run/munge
chmod 400 /etc/munge/munge.key
if ! munge -n >/dev/null 2>&1; then
	munged --force
fi
for i in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
munge -n | unmunge >/dev/null
# slurmctld and slurmd: restart them so that they read this config.
for f in /run/slurmctld.pid /run/slurmd.pid; do
	if [ -f "$f" ]; then
		pid="$(cat "$f")"
		kill "$pid" 2>/dev/null || true
		for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
done
slurmctld -c
slurmd -c
for i in $(seq 60); do
	state="$(sinfo -h -N -o '%T' 2>/dev/null | head -1)"
	case "$state" in idle|mixed|allocated) break ;; esac
	sleep 1
done
scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
sinfo
