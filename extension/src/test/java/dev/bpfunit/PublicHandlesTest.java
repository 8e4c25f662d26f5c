package dev.bpfunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.MapType;
import org.junit.jupiter.api.Test;

/** What the public types show of their kernel objects: root-package info records, raw fd numbers, closed state. */
class PublicHandlesTest {

    @Test
    void mapInfoIsTheKernelsViewInARootRecord() {
        try (BpfObject obj = LoaderFailureTest.counter().load()) {
            BpfMap counts = obj.map("counts");
            MapInfo info = counts.info();
            assertThat(info.type()).isEqualTo(MapType.ARRAY);
            assertThat(info.typeNumber()).isEqualTo(MapType.ARRAY.number());
            assertThat(info.name()).isEqualTo("counts");
            assertThat(info.keySize()).isEqualTo(4);
            assertThat(info.valueSize()).isEqualTo(8);
            assertThat(info.maxEntries()).isEqualTo(1);
            assertThat(info.btfValueTypeId()).as("typed by the object's BTF").isPositive();
            assertThat(info.id()).isPositive();
            assertThat(obj.program("count_packets").info().mapIds()).contains(info.id());
        }
    }

    @Test
    void rawFdsAreTheNumbersOfTheOpenDescriptorsAndCloseWithTheirOwner() {
        BpfObject obj = LoaderFailureTest.counter().load();
        BpfMap counts = obj.map("counts");
        BpfProgram prog = obj.program("count_packets");
        assertThat(counts.rawFd()).isEqualTo(counts.fd().raw()).isPositive();
        assertThat(prog.rawFd()).isEqualTo(prog.fd().raw()).isNotEqualTo(counts.rawFd());
        assertThat(counts.isClosed()).isFalse();
        assertThat(prog.isClosed()).isFalse();

        obj.close();
        assertThat(counts.isClosed()).isTrue();
        assertThat(prog.isClosed()).isTrue();
        assertThatThrownBy(counts::rawFd).isInstanceOf(BpfException.class);
    }
}
