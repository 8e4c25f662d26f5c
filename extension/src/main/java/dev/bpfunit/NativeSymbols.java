package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds where a function lives in an executable or shared library, for uprobes: the file offset of its symbol in
 * {@code .symtab} or {@code .dynsym} (the symbol's address minus its section's address plus the section's file
 * offset, as libbpf computes it), and the file a library name such as {@code libc.so.6} stands for.
 */
final class NativeSymbols {

    private static final int SHT_SYMTAB = 2;
    private static final int SHT_DYNSYM = 11;
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;
    private static final int STB_LOCAL = 0;

    private NativeSymbols() {
    }

    /**
     * The file a uprobe names: a path as given (relative to the working directory), a name with {@code .so} searched
     * in {@code LD_LIBRARY_PATH} and the default library directories (and, for a pid, the libraries it mapped), any
     * other name searched in {@code PATH}.
     */
    static Path resolveBinary(String binary, int pid) {
        if (binary.contains("/")) {
            Path p = Path.of(binary);
            if (!Files.isRegularFile(p)) {
                throw new BpfException("uprobe target " + binary + " does not exist or is not a file");
            }
            return p;
        }
        Set<String> dirs = new LinkedHashSet<>();
        boolean library = binary.contains(".so");
        if (library) {
            if (pid > 0) {
                Path mapped = mappedLibrary(binary, pid);
                if (mapped != null) {
                    return mapped;
                }
            }
            addAll(dirs, System.getenv("LD_LIBRARY_PATH"));
            String multiarch = "aarch64".equals(System.getProperty("os.arch")) ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
            for (String d : List.of("/lib/" + multiarch, "/usr/lib/" + multiarch, "/lib64", "/usr/lib64", "/lib",
                    "/usr/lib", "/usr/local/lib")) {
                dirs.add(d);
            }
        } else {
            addAll(dirs, System.getenv("PATH"));
        }
        for (String d : dirs) {
            Path p = Path.of(d, binary);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new BpfException("uprobe target '" + binary + "' not found in " + (library ? "LD_LIBRARY_PATH and " : "PATH: ")
                + String.join(":", dirs) + ": give a path");
    }

    private static void addAll(Set<String> dirs, String pathList) {
        if (pathList != null) {
            for (String d : pathList.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
    }

    private static Path mappedLibrary(String name, int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
                int slash = line.indexOf('/');
                if (slash >= 0) {
                    Path p = Path.of(line.substring(slash).trim());
                    if (p.getFileName().toString().equals(name) || p.getFileName().toString().startsWith(name + ".")) {
                        return p;
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /**
     * The file offset of function {@code symbol} in the ELF file {@code binary}: from {@code .symtab} when the file
     * has one, else {@code .dynsym}; a versioned name ({@code malloc@@GLIBC_2.2.5}) matches its bare name.
     */
    static long offset(Path binary, String symbol) {
        try (FileChannel ch = FileChannel.open(binary, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 64 || size > Integer.MAX_VALUE) {
                throw new BpfException(binary + ": " + size + " bytes is not an ELF file bpfunit can read for uprobes");
            }
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            return offset(b, binary.toString(), symbol);
        } catch (IOException e) {
            throw new BpfException("cannot read " + binary + " to find symbol '" + symbol + "': " + e, e);
        }
    }

    static long offset(ByteBuffer b, String file, String symbol) {
        if (b.getInt(0) != 0x464c457f || b.get(4) != 2 || b.get(5) != 1) {
            throw new BpfException(file + " is not a 64-bit little-endian ELF file: cannot find uprobe symbol '"
                    + symbol + "'");
        }
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
        int shnum = Short.toUnsignedInt(b.getShort(0x3c));
        if (shoff <= 0 || shentsize < 64 || shoff + (long) shnum * shentsize > b.capacity()) {
            throw new BpfException(file + ": no readable section headers: cannot find uprobe symbol '" + symbol + "'");
        }
        record Found(long offset, int bind) {
        }
        for (int wanted : new int[]{SHT_SYMTAB, SHT_DYNSYM}) {
            List<Found> found = new ArrayList<>();
            for (int i = 0; i < shnum; i++) {
                int sh = (int) (shoff + (long) i * shentsize);
                if (b.getInt(sh + 4) != wanted) {
                    continue;
                }
                long symOff = b.getLong(sh + 0x18);
                long symSize = b.getLong(sh + 0x20);
                int link = b.getInt(sh + 0x28);
                long entSize = b.getLong(sh + 0x38);
                if (entSize < 24 || link >= shnum || symOff + symSize > b.capacity()) {
                    continue;
                }
                int strSh = (int) (shoff + (long) link * shentsize);
                long strOff = b.getLong(strSh + 0x18);
                long strSize = b.getLong(strSh + 0x20);
                for (long e = symOff; e + 24 <= symOff + symSize; e += entSize) {
                    int st = (int) e;
                    int info = b.get(st + 4) & 0xff;
                    int type = info & 0xf;
                    int shndx = Short.toUnsignedInt(b.getShort(st + 6));
                    if ((type != STT_FUNC && type != STT_GNU_IFUNC) || shndx == 0 || shndx >= shnum) {
                        continue;
                    }
                    String name = cString(b, strOff + Integer.toUnsignedLong(b.getInt(st)), strOff + strSize);
                    int at = name.indexOf('@');
                    if (!(at < 0 ? name : name.substring(0, at)).equals(symbol)) {
                        continue;
                    }
                    int sec = (int) (shoff + (long) shndx * shentsize);
                    long value = b.getLong(st + 8);
                    found.add(new Found(value - b.getLong(sec + 0x10) + b.getLong(sec + 0x18), info >> 4));
                }
            }
            List<Long> global = found.stream().filter(f -> f.bind() != STB_LOCAL).map(Found::offset).distinct().toList();
            List<Long> all = found.stream().map(Found::offset).distinct().toList();
            List<Long> pick = global.isEmpty() ? all : global;
            if (pick.size() == 1) {
                return pick.get(0);
            }
            if (pick.size() > 1) {
                throw new BpfException(file + ": " + pick.size() + " functions named '" + symbol + "' at file offsets "
                        + pick.stream().map(o -> "0x" + Long.toHexString(o)).toList() + ": give the offset instead");
            }
        }
        throw new BpfException(file + " has no function '" + symbol + "' in .symtab or .dynsym (stripped, or "
                + "the name is mangled or inlined?): check with 'nm -D " + file + "'");
    }

    private static String cString(ByteBuffer b, long from, long limit) {
        if (from >= limit || from >= b.capacity()) {
            return "";
        }
        int end = (int) from;
        int max = (int) Math.min(limit, b.capacity());
        while (end < max && b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - (int) from];
        b.get((int) from, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

}
