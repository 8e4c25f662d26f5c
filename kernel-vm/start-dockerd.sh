#!/bin/sh
# Starts Debian's dockerd in the background if no Docker daemon answers (machines without systemd, CI).
# dockerd runs in a mount namespace of its own, from which any filesystem stacked on top of "/" is removed:
# such a mount (e.g. a bpffs a test mounted on the wrong path) makes dockerd's layer extraction fail with
# "Error cleaning up after pivot: ... device or resource busy", so no image could be imported or built.
# Log: ${DOCKERD_LOG:-/tmp/bpfunit-dockerd.log}.
set -eu
if docker info >/dev/null 2>&1; then
    exit 0
fi
command -v dockerd >/dev/null || { echo "start-dockerd.sh: dockerd missing; apt-get install docker.io" >&2; exit 1; }
log=${DOCKERD_LOG:-/tmp/bpfunit-dockerd.log}
setsid unshare --mount --propagation private sh -c '
    while [ "$(grep -c "^[0-9]* [0-9]* [0-9:]* / / " /proc/self/mountinfo)" -gt 1 ]; do umount / || break; done
    exec dockerd' >"$log" 2>&1 </dev/null &
for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
        exit 0
    fi
    sleep 1
done
echo "start-dockerd.sh: dockerd did not answer within 60 s; see $log" >&2
exit 1
