// Per load of an object with libbpf, the mean over N loads in each of 3 rounds: wall time, this thread's user and
// system CPU time and minor page faults; the C side of dev.bpfunit.jmh.LoadCpu (see jmh/README.md).
// gcc -O2 -o load_cpu jmh/src/main/c/load_cpu.c -lbpf -lelf -lz && ./load_cpu OBJECT N
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>
static double now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
static double tv(struct timeval t) { return t.tv_sec * 1e6 + t.tv_usec; }
static int quiet(enum libbpf_print_level l, const char *f, va_list a) { return 0; }
int main(int argc, char **argv) {
    int n = atoi(argv[2]);
    libbpf_set_print(quiet);
    for (int round = 0; round < 3; round++) {
        struct rusage r0, r1; getrusage(RUSAGE_THREAD, &r0);
        double w0 = now(CLOCK_MONOTONIC);
        for (int i = 0; i < n; i++) {
            struct bpf_object *o = bpf_object__open_file(argv[1], NULL);
            if (!o || bpf_object__load(o)) { fprintf(stderr, "load failed\n"); return 1; }
            bpf_object__close(o);
        }
        double w = now(CLOCK_MONOTONIC) - w0; getrusage(RUSAGE_THREAD, &r1);
        double u = tv(r1.ru_utime) - tv(r0.ru_utime), s = tv(r1.ru_stime) - tv(r0.ru_stime);
        printf("c    round %d: wall %.0f us, cpu %.0f us (user %.0f, sys %.0f), minor faults %.1f per load\n", round, w / n, (u + s) / n, u / n, s / n, (double)(r1.ru_minflt - r0.ru_minflt) / n);
    }
    return 0;
}
