package dev.bpfunit.vm;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helper: parses a newc cpio archive back into its entries, checking magic, alignment and the trailer. */
final class CpioReader {
    record Member(String name, int mode, int nlink, int rdevMajor, int rdevMinor, byte[] data, long mtime) {
    }

    private CpioReader() {
    }

    static List<Member> read(byte[] archive) {
        List<Member> members = new ArrayList<>();
        int pos = 0;
        while (true) {
            if (pos % 4 != 0) {
                throw new AssertionError("header at " + pos + " is not 4-byte aligned");
            }
            String magic = new String(archive, pos, 6, StandardCharsets.US_ASCII);
            if (!magic.equals("070701")) {
                throw new AssertionError("bad magic '" + magic + "' at " + pos);
            }
            long[] f = new long[13];
            for (int i = 0; i < 13; i++) {
                f[i] = Long.parseLong(new String(archive, pos + 6 + 8 * i, 8, StandardCharsets.US_ASCII), 16);
            }
            int nameSize = (int) f[11];
            int fileSize = (int) f[6];
            if (f[12] != 0) {
                throw new AssertionError("check field must be 0 for newc");
            }
            int nameStart = pos + 110;
            if (archive[nameStart + nameSize - 1] != 0) {
                throw new AssertionError("name at " + nameStart + " is not NUL-terminated");
            }
            String name = new String(archive, nameStart, nameSize - 1, StandardCharsets.UTF_8);
            int dataStart = align(nameStart + nameSize);
            byte[] data = Arrays.copyOfRange(archive, dataStart, dataStart + fileSize);
            pos = align(dataStart + fileSize);
            if (name.equals("TRAILER!!!")) {
                if (pos != archive.length) {
                    throw new AssertionError("bytes after the trailer: " + (archive.length - pos));
                }
                return members;
            }
            members.add(new Member(name, (int) f[1], (int) f[4], (int) f[9], (int) f[10], data, f[5]));
        }
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }
}
