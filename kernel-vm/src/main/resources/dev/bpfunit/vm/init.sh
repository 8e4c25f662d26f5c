#!/bin/busybox sh
# /init of a bpfunit kernel VM, run by the guest kernel as PID 1 from the initramfs.
# It loads the 9p and virtio modules, mounts the host's root read-only over 9p (tag hostroot) on /newroot,
# the run directory (tag bpfunit, writable) on /newroot/run/bpfunit, and the kernel filesystems BPF needs,
# then runs /run/bpfunit/command.sh chrooted in /newroot, writes its exit status to
# /run/bpfunit/exit-code and resets the machine (QEMU runs with -no-reboot: a reset ends it; the guest has no
# ACPI to power off with). Anything that fails before the command is reported and ends the guest without an exit
# code, which the host reports as a failed boot. "bpfunit-vm time:" lines give the guest's uptime at each step.
/bin/busybox --install -s /bin
export PATH=/bin

fail() {
    echo "bpfunit-vm: $*"
    reboot -f
    sleep 60
}
stamp() {
    read -r up idle < /proc/uptime
    echo "bpfunit-vm time: $up $1"
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
stamp init

for module in @MODULES@; do
    insmod "/modules/$module.ko" || fail "cannot load kernel module $module"
done

stamp modules
# A resident JVM (ResidentJvm): with its files in the initramfs (a layer after the base archive, at their host paths)
# the JVM starts here, before the guest is saved, warms up and says it is ready; after the restore it is handed the
# run and moves into the host's root itself. Without the layer (a guest not saved) the command runs as usual.
resident=
if [ -f /@RESIDENT_LAYER@ ] && [ -f /@RESIDENT_START@ ]; then
    mkdir -p /tmp
    mkfifo @RESIDENT_REQUEST@ || fail "cannot make the resident JVM's request pipe"
    sh /@RESIDENT_START@ &
    resident=$!
    while [ ! -f @RESIDENT_READY@ ]; do
        kill -0 "$resident" 2>/dev/null || { wait "$resident"; fail "@RESIDENT_FAILED@ with status $? before it was ready"; }
        sleep 0.05
    done
    stamp resident
fi
# Saved and restored guests (VmSnapshots): with bpfunit.snapshot=wait on the kernel command line the guest stops
# here, before it mounts anything of the host, and waits for the host's "go YYYY-MM-DD hh:mm:ss" line (UTC); the
# host saves the machine at this point and restores later runs to it. A restored guest's clock is the saved one:
# set it from the line.
case " $(cat /proc/cmdline) " in
*" bpfunit.snapshot=wait "*)
    stty -echo 2>/dev/null
    echo "@READY_MARKER@"
    read -r word day time || fail "no go line from the host on the console"
    [ "$word" = go ] || fail "the host sent '$word' instead of its go line"
    date -u -s "$day $time" >/dev/null 2>&1 || echo "bpfunit-vm: warning: cannot set the clock to $day $time"
    stamp go
    ;;
esac
ninep="trans=virtio,version=9p2000.L,msize=@MSIZE@"
mount -t 9p -o "$ninep,ro,cache=@ROOT_CACHE@" hostroot /newroot \
    || fail "cannot mount the host root over 9p (tag hostroot); the kernel needs 9p and virtio-pci"

mount -t proc proc /newroot/proc || fail "cannot mount /proc"
mount -t sysfs sysfs /newroot/sys || fail "cannot mount /sys"
mount -t devtmpfs devtmpfs /newroot/dev || fail "cannot mount /dev"
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/dev/shm
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp || fail "cannot mount a tmpfs on /tmp"
mount -t tmpfs -o mode=0755 tmpfs /newroot/run || fail "cannot mount a tmpfs on /run"
mount -t bpf bpf /newroot/sys/fs/bpf || echo "bpfunit-vm: warning: cannot mount bpffs on /sys/fs/bpf"
mount -t debugfs debugfs /newroot/sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /newroot/sys/kernel/tracing 2>/dev/null
# cgroup v2, for cgroup programs and the tests' cgroup fixtures
mount -t cgroup2 cgroup2 /newroot/sys/fs/cgroup 2>/dev/null || echo "bpfunit-vm: warning: cannot mount cgroup2 on /sys/fs/cgroup"
ip link set lo up 2>/dev/null

mkdir -p /newroot/run/bpfunit
mount -t 9p -o "$ninep,rw" bpfunit /newroot/run/bpfunit || fail "cannot mount the run directory (tag bpfunit)"

# Mounts at host paths, from the run directory's mounts.sh (written by the host, paths quoted for the shell):
#   share TAG ro|rw PATH    a 9p share (a tree hidden by the tmpfs above, a writable directory)
#   bootdir PATH            the guest kernel's own boot directory (config-<release>, System.map) over the host's
#                           /boot, so that programs reading /boot/config-$(uname -r) see this kernel's configuration
share() {
    mkdir -p "/newroot$3" 2>/dev/null
    mount -t 9p -o "$ninep,$2" "$1" "/newroot$3" || fail "cannot mount share $1 on $3"
}
bootdir() {
    mount -o bind "/newroot$1" /newroot/boot || echo "bpfunit-vm: warning: cannot show the kernel's $1 as /boot"
}
. /newroot/run/bpfunit/mounts.sh

# A resident JVM's mapped files (its JDK's libraries, libc and the like) over the host's copies: the guest has one
# copy of each, the one the JVM runs
bind() {
    mount -o bind "$1" "/newroot$1" || echo "bpfunit-vm: warning: cannot show the resident JVM's $1 over the host's"
}
if [ -n "$resident" ]; then
    . /@RESIDENT_BINDS@
fi

stamp mounts
echo "@START_MARKER@"
if [ -n "$resident" ] && [ -f "/newroot/run/bpfunit/@RESIDENT_HAND_OFF@" ]; then
    echo "/newroot/run/bpfunit/@RESIDENT_HAND_OFF@" > @RESIDENT_REQUEST@
    wait "$resident"
    status=$?
else
    chroot /newroot /bin/sh /run/bpfunit/command.sh
    status=$?
fi
echo "$status" > /newroot/run/bpfunit/exit-code.tmp && mv /newroot/run/bpfunit/exit-code.tmp /newroot/run/bpfunit/exit-code
sync
reboot -f
sleep 60
