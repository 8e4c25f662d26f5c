#!/bin/sh
# Starts Debian's dockerd in the background if no Docker daemon answers (machines without systemd, CI).
#   kernel-vm/start-dockerd.sh [dockerd options...]
# The daemon asked is DOCKER_HOST's (else /var/run/docker.sock); options go to dockerd as they are (e.g. a
# --data-root and -H of its own, as .ci/with-fresh-dockerd does).
# dockerd runs in a mount namespace of its own, from which any filesystem stacked on top of "/" is removed:
# such a mount (e.g. a bpffs a test mounted on the wrong path) makes dockerd's layer extraction fail with
# "Error cleaning up after pivot: ... device or resource busy", so no image could be imported or built.
# Log: $DOCKERD_LOG, else ${XDG_STATE_HOME:-$HOME/.local/state}/bpfunit/dockerd.log, in a directory only its
# owner can enter (never a fixed path in /tmp, where a planted symlink would make root overwrite any file).
set -eu
if docker info >/dev/null 2>&1; then
    exit 0
fi
command -v dockerd >/dev/null || { echo "start-dockerd.sh: dockerd missing; apt-get install docker.io" >&2; exit 1; }
if [ -n "${DOCKERD_LOG:-}" ]; then
    log=$DOCKERD_LOG
else
    dir=${XDG_STATE_HOME:-${HOME:?HOME is not set}/.local/state}/bpfunit
    (umask 077 && mkdir -p "$dir")
    chmod 700 "$dir"
    log=$dir/dockerd.log
fi
if [ -L "$log" ]; then
    echo "start-dockerd.sh: $log is a symbolic link; refusing to write the log through it" >&2
    exit 1
fi
setsid unshare --mount --propagation private sh -c '
    while [ "$(grep -c "^[0-9]* [0-9]* [0-9:]* / / " /proc/self/mountinfo)" -gt 1 ]; do umount / || break; done
    exec dockerd "$@"' dockerd "$@" >"$log" 2>&1 </dev/null &
for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
        echo "start-dockerd.sh: dockerd started (${DOCKER_HOST:-unix:///var/run/docker.sock}); log: $log" >&2
        exit 0
    fi
    sleep 1
done
echo "start-dockerd.sh: dockerd did not answer within 60 s; see $log" >&2
exit 1
