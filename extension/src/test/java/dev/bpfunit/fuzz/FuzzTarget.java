package dev.bpfunit.fuzz;

import dev.bpfunit.VerifierLog;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfExt;
import dev.bpfunit.elf.ObjectReader;
import dev.bpfunit.spec.ObjectSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/** What the fuzzer feeds: each reader that takes bytes from outside, with the input's encoding for it. */
enum FuzzTarget {
    /** A whole object through {@link ObjectReader}: ELF, BTF, BTF.ext, maps (BTF, legacy, data) and linking. */
    OBJECT {
        @Override
        void run(byte[] input) {
            ObjectSpec spec = ObjectReader.read(input, "fuzz.bpf.o");
            spec.programs().forEach(p -> p.instructions());
        }
    },
    /** A raw BTF blob through {@link Btf#parse(byte[])}, then encoded again. */
    BTF {
        @Override
        void run(byte[] input) {
            Btf btf = Btf.parse(input);
            btf.encode();
        }
    },
    /** A BTF.ext section with the BTF it refers to: a 4-byte BTF length, the BTF, then the BTF.ext. */
    BTF_EXT {
        @Override
        void run(byte[] input) {
            if (input.length < 4) {
                return;
            }
            int btfLength = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (btfLength < 0 || btfLength > input.length - 4) {
                return;
            }
            Btf btf = Btf.parse(Arrays.copyOfRange(input, 4, 4 + btfLength));
            BtfExt.parse(Arrays.copyOfRange(input, 4 + btfLength, input.length), btf);
        }
    },
    /** A verifier log (UTF-8 text) through {@link VerifierLog#parse}, with every accessor read. */
    VERIFIER_LOG {
        @Override
        void run(byte[] input) {
            VerifierLog log = VerifierLog.parse(new String(input, StandardCharsets.UTF_8), false,
                    VerifierLog.Program.withLines(i -> Optional.of("fuzz.bpf.c:" + i + ": line")));
            log.errorLines();
            log.failingInstruction();
            log.source();
            log.hint();
            log.processedInstructions();
            log.cause();
        }
    };

    /** Feeds one input; returning or throwing a BpfException is a correct outcome, anything else a finding. */
    abstract void run(byte[] input);
}
