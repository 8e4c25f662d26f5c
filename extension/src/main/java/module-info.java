/**
 * bpfunit: loads BPF ELF objects over {@code bpf(2)} and runs them from JUnit tests.
 *
 * <p>Exported are the packages a user touches: the root package ({@code BpfObject}, {@code BpfMap},
 * {@code BpfProgram}, live fixtures), the JUnit annotations, packets, the exception root, and the descriptions and
 * values the API returns ({@code spec}: {@code ObjectSpec}, {@code ProgramType}; {@code btf}: {@code BtfValue};
 * {@code instrument}: {@code CoverageData}). The kernel layer ({@code sys}), the ELF readers ({@code elf},
 * {@code rawelf}), the instruction layer ({@code asm}) and the cache directory ({@code cache}) are internal: no exported signature mentions them
 * (ArchitectureTest checks it against this file).
 */
@SuppressWarnings("requires-automatic")   // JNA 5 is an automatic module, com.sun.jna
module dev.bpfunit {
    // @BpfTest and the other annotations are meta-annotated with JUnit's; ExtensionConfigurationException is thrown
    requires transitive org.junit.jupiter.api;
    requires org.junit.platform.commons;
    // only @PcapSource needs it, and a project using @PcapSource has it: optional at run time
    requires static org.junit.jupiter.params;
    requires com.sun.jna;

    exports dev.bpfunit;
    exports dev.bpfunit.junit;
    exports dev.bpfunit.packet;
    exports dev.bpfunit.error;
    exports dev.bpfunit.spec;
    exports dev.bpfunit.btf;
    exports dev.bpfunit.instrument;

    // JUnit creates the package-private extension, conditions and argument provider by reflection. Open to every
    // module, not only org.junit.platform.commons: a build may put JUnit's engine on the class path while the API
    // is on the module path (Maven Surefire does), and then the reflection comes from the unnamed module.
    opens dev.bpfunit.junit;
}
