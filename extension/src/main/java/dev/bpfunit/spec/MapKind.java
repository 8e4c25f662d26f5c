package dev.bpfunit.spec;

/** Where a map's definition came from in the ELF object. */
public enum MapKind {
    /** A BTF-defined map in the {@code .maps} section. */
    BTF,
    /** A legacy definition in the {@code maps} section (libbpf/iproute2 20-byte or Aya 28-byte layout). */
    LEGACY,
    /** A global data section ({@code .data}, {@code .rodata}, {@code .bss} and their {@code .name} variants). */
    DATA,
    /** The {@code .kconfig} externs, filled in by bpfunit from the running kernel's configuration. */
    KCONFIG,
    /** Added by bpfunit's instrumentation (coverage counters, deterministic helper values), not by the object. */
    INSTRUMENTATION
}
