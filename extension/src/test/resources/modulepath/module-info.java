// A user's test module on the module path: it reads bpfunit (and through it JUnit's API) and opens its tests to
// JUnit (which creates them) and to bpfunit (which injects their fields), as the README says.
module smoke {
    requires dev.bpfunit;
    requires org.junit.platform.launcher;

    opens smoke to org.junit.platform.commons, dev.bpfunit;
}
