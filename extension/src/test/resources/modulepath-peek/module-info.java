module peek {
    requires dev.bpfunit;
}
