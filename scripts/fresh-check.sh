#!/usr/bin/env bash
# The fresh-machine check: run the README's `bash scripts/test.sh` as root in a clone, in a freshly
# debootstrapped Debian 12 (minbase + git, nothing else), so that nothing this machine happens to
# have installed (a newer Node.js, a locale, a tool) can make it pass.
#
#   bash scripts/fresh-check.sh ROOT [REPO [BRANCH]]
#
#   ROOT    an absolute folder for the chroot, e.g. /work/fresh-root. The pristine debootstrap is
#           kept in ROOT.pristine (made once, ~340 MB); every run starts from a new copy of it in
#           ROOT, which stays afterwards (with its build and installed packages) for a look inside:
#           chroot ROOT bash
#   REPO    the git repository to clone into ROOT/root/ejournal (a path or URL; default: this one)
#   BRANCH  the branch to check out (default: REPO's current branch when it is a local path)
#
# Environment: EJ_FRESH_MIRROR (Debian mirror, default http://deb.debian.org/debian),
# EJ_FRESH_TIMEOUT (seconds the run may take, default 7200), EJ_FRESH_REUSE=1 (keep the previous
# run's ROOT with its installed packages instead of a new copy: quicker, no longer a fresh machine).
#
# Needs root on a Debian or Ubuntu machine (debootstrap is installed when missing) and the network
# for Debian's mirror and the npm registry. The chroot shares this machine's network and kernel;
# /proc, /sys, /dev and /dev/pts are mounted for the run in a private mount namespace (they never
# appear in this machine's mount table and are gone when the run ends, also on Ctrl-C). The chroot
# gets this machine's resolv.conf and CA certificates (EJ_FRESH_HOST_CA=0: not the CAs). Services
# are not started inside (a policy-rc.d that refuses, as in Debian's container images), so
# installing postgresql-15 starts no system cluster. Processes left inside the chroot when the run
# ends (there should be none) are stopped by pid. The output is also written to ROOT.log. Exits
# with the status of the run.
set -euo pipefail

die() { echo "fresh-check.sh: $*" >&2; exit 1; }
say() { echo "fresh-check.sh: $*" >&2; }

[[ $# -ge 1 && $# -le 3 ]] || { sed -n '2,28p' "$0" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, chroot, mounts)"

here=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
root=$1
repo=${2:-$here}
[[ $root == /* ]] || die "ROOT must be an absolute path: $root"
root=$(realpath -m -- "$root")
case $root in
    / | /bin | /boot | /dev | /etc | /home | /lib* | /opt | /proc | /root | /run | /sbin | /srv | /sys | \
        /tmp | /usr | /usr/* | /var | /work) die "refusing ROOT=$root" ;;
esac
if [[ $# -ge 3 ]]; then
    branch=$3
elif [[ -d $repo ]]; then
    branch=$(git -C "$repo" rev-parse --abbrev-ref HEAD)
else
    die "give the BRANCH for $repo"
fi
pristine=$root.pristine
log=$root.log
mirror=${EJ_FRESH_MIRROR:-http://deb.debian.org/debian}
limit=${EJ_FRESH_TIMEOUT:-7200}
[[ $limit =~ ^[0-9]+$ ]] || die "EJ_FRESH_TIMEOUT must be a number of seconds"

# One run per ROOT at a time.
mkdir -p -- "$(dirname -- "$root")"
exec 9>"$root.lock"
flock -n 9 || die "another fresh-check is using $root"

# --- mounts and processes ----------------------------------------------------------------------
# The run's mounts are made in a private mount namespace (unshare), so they never show up in this
# machine's mount table or propagate into its /dev, and they vanish when the run's last process
# ends. What is below only checks and cleans up after an interrupted run of an older version.

# Mount points below a folder, deepest first.
mounts_under() {
    awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r
}

# Stop, by pid, whatever still runs with its root inside the chroot (only what this script started
# there: nothing else has that root).
stop_inside() {
    local pid sig left
    for sig in TERM KILL; do
        left=0
        for pid in $(ls /proc | grep -E '^[0-9]+$'); do
            [[ $(readlink "/proc/$pid/root" 2>/dev/null) == "$root" ]] || continue
            say "stopping process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80)) with SIG$sig"
            kill -s "$sig" "$pid" 2>/dev/null || true
            left=1
        done
        ((left)) || return 0
        sleep 3
    done
}

cleanup() {
    local m
    stop_inside
    for m in $(mounts_under "$root"); do
        umount -- "$m" || { say "could not unmount $m; detaching it"; umount -l -- "$m" || true; }
    done
    [[ -z $(mounts_under "$root") ]] || say "WARNING: still mounted under $root: $(mounts_under "$root" | tr '\n' ' ')"
}

# A folder is removed only when nothing is mounted below it (else rm would reach into /dev, /proc).
remove_tree() {
    [[ -z $(mounts_under "$1") ]] || die "something is still mounted under $1; not removing it"
    rm -rf --one-file-system -- "$1"
}

# Leftovers of an interrupted run.
cleanup
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the pristine root -------------------------------------------------------------------------
if [[ ! -x $pristine/bin/bash ]]; then
    command -v debootstrap >/dev/null 2>&1 || {
        say "installing debootstrap"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap ||
            { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap; }
    }
    say "debootstrap --variant=minbase --include=git bookworm $pristine $mirror"
    remove_tree "$pristine.tmp"
    debootstrap --variant=minbase --include=git bookworm "$pristine.tmp" "$mirror" >"$pristine.log" 2>&1 ||
        { tail -n 20 "$pristine.log" >&2; die "debootstrap failed (log: $pristine.log)"; }
    mv -- "$pristine.tmp" "$pristine"
fi

# --- this run's root ---------------------------------------------------------------------------
if [[ ${EJ_FRESH_REUSE:-0} == 1 && -x $root/bin/bash ]]; then
    say "reusing $root (EJ_FRESH_REUSE=1: packages from the last run stay installed)"
    remove_tree "$root/root/ejournal"
else
    say "new copy of $pristine in $root"
    remove_tree "$root"
    cp -a -- "$pristine" "$root"
fi

# What a freshly installed Debian 12 has: the main archive with its updates and security updates.
mirror_host=${mirror%/debian}
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $mirror_host/debian-security bookworm-security main
EOF
cp -L -- /etc/resolv.conf "$root/etc/resolv.conf"
# The CA certificates this machine trusts beyond Debian's own, so that HTTPS (the npm registry)
# works from the chroot as it does from here, e.g. through a TLS-inspecting proxy whose CA only this
# machine trusts: installing ca-certificates inside adds them (local certificates, one file each).
# EJ_FRESH_HOST_CA=0 leaves them out.
if [[ ${EJ_FRESH_HOST_CA:-1} == 1 && -s /etc/ssl/certs/ca-certificates.crt ]]; then
    cadir=$root/usr/local/share/ca-certificates/fresh-check-host
    mkdir -p -- "$cadir"
    # Debian's own certificates (if this machine has the package) are skipped: the chroot gets them.
    shopt -s nullglob
    debian_cas=(/usr/share/ca-certificates/mozilla/*.crt)
    shopt -u nullglob
    awk -v d="$cadir" '
        /-----BEGIN CERTIFICATE-----/ { body = ""; inside = 1; next }
        /-----END CERTIFICATE-----/ {
            inside = 0
            if (FILENAME != bundle) { known[body] = 1; next }
            if (!(body in known)) {
                f = sprintf("%s/%03d.crt", d, ++n)
                printf "-----BEGIN CERTIFICATE-----\n%s-----END CERTIFICATE-----\n", body > f
                close(f)
            }
            next
        }
        inside { body = body $0 "\n" }
        END { print n + 0 }' bundle=/etc/ssl/certs/ca-certificates.crt \
        "${debian_cas[@]}" /etc/ssl/certs/ca-certificates.crt >"$cadir/.count"
    say "the chroot will also trust $(cat "$cadir/.count") CA certificate(s) of this machine's own"
    rm -f -- "$cadir/.count"
fi
[[ -s $root/etc/hosts ]] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
printf '#!/bin/sh\n# fresh-check.sh: no services start inside this chroot.\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

say "git clone --branch $branch $repo $root/root/ejournal"
git clone --quiet --no-hardlinks --branch "$branch" -- "$repo" "$root/root/ejournal"
commit=$(git -C "$root/root/ejournal" log -1 --format='%h %s' | cut -c1-100)
say "at $commit"

# As root in the clone, exactly as the README says, with a clean environment (nothing from here).
# Inside the private mount namespace: /proc, /sys, /dev, /dev/pts, and a tmpfs of its own on
# /dev/shm (PostgreSQL keeps its dynamic shared memory there), unmounted again afterwards.
inside='
set -e
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev,size=512m tmpfs "$root/dev/shm"
rc=0
timeout --kill-after=60 "$limit" \
    chroot "$root" /usr/bin/env -i HOME=/root TERM="$term" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -lc "cd /root/ejournal && bash scripts/test.sh" || rc=$?
umount "$root/dev/shm" "$root/dev/pts" "$root/dev" "$root/sys" "$root/proc" || true
exit "$rc"
'
say "chroot $root: cd /root/ejournal && bash scripts/test.sh (at most $limit s; log: $log)"
started=$SECONDS
rc=0
root=$root limit=$limit term=${TERM:-dumb} \
    unshare --mount --propagation private -- bash -c "$inside" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
((rc != 124)) || say "the run took longer than $limit s and was stopped"
say "exit status $rc after $((SECONDS - started)) s ($branch: $commit)"
exit "$rc"
