package dev.bpfunit.packet;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Shrinks a packet that makes a property fail to a smaller one that still makes it fail, for a readable counterexample.
 *
 * <p>It tries, greedily and repeatedly: dropping layers (VLAN tags, IPv6 extension headers, payload, trailer),
 * cutting the payload, dropping IPv4/TCP/GENEVE options and zeroing fields and addresses. Each change is tried with
 * lengths, next-protocol fields and checksums recomputed (checksums that were wrong kept wrong), then as is. A
 * candidate is taken only when it is strictly smaller (fewer bytes, then fewer layers, then fewer non-zero bytes),
 * so shrinking ends.
 */
public final class PacketShrinker {
    /** The most times the predicate is evaluated during one shrink. */
    public static final int MAX_ATTEMPTS = 2000;

    private PacketShrinker() {
    }

    /** A minimal packet for which {@code stillFails} holds; {@code failing} itself if nothing smaller fails. */
    public static Packet shrink(Packet failing, Predicate<Packet> stillFails) {
        Packet best = failing;
        int attempts = 0;
        boolean improved = true;
        while (improved && attempts < MAX_ATTEMPTS) {
            improved = false;
            for (Packet candidate : candidates(best)) {
                if (attempts++ >= MAX_ATTEMPTS) {
                    break;
                }
                if (smaller(candidate, best) && stillFails.test(candidate)) {
                    best = candidate;
                    improved = true;
                    break;
                }
            }
        }
        return best;
    }

    private static boolean smaller(Packet a, Packet b) {
        if (a.length() != b.length()) {
            return a.length() < b.length();
        }
        if (a.layers().size() != b.layers().size()) {
            return a.layers().size() < b.layers().size();
        }
        return nonZero(a) < nonZero(b);
    }

    private static int nonZero(Packet p) {
        int n = 0;
        for (byte x : p.bytes()) {
            n += x != 0 ? 1 : 0;
        }
        return n;
    }

    private static List<Packet> candidates(Packet p) {
        List<Layer> layers = p.layers();
        List<Boolean> bad = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            bad.add(p.checksumStatus(i) == ChecksumStatus.BAD);
        }
        List<Packet> out = new ArrayList<>();
        for (int i = layers.size() - 1; i >= 0; i--) {
            Layer l = layers.get(i);
            if (l instanceof Vlan || l instanceof Ipv6ExtensionHeader || l instanceof Payload || l instanceof Trailer
                    || l instanceof Malformed) {
                add(out, Refit.without(layers, i), Refit.without(bad, i));
            }
            if (l instanceof Payload pl && pl.data().length() > 1) {
                Bytes d = pl.data();
                add(out, Refit.replace(layers, i, new Payload(d.slice(0, d.length() / 2))), bad);
                add(out, Refit.replace(layers, i, new Payload(d.slice(0, d.length() - 1))), bad);
            }
            if (l instanceof Payload pl) {
                add(out, Refit.replace(layers, i, new Payload(Bytes.of(new byte[pl.data().length()]))), bad);
            }
            if (l instanceof Ipv4 || l instanceof Tcp || l instanceof Geneve) {
                Layer stripped = Refit.with(l, "options", Bytes.empty());
                if (l instanceof Geneve) {
                    stripped = Refit.with(stripped, "optionsLength", 0);
                }
                if (!stripped.equals(l)) {
                    add(out, Refit.replace(layers, i, stripped), bad);
                }
            }
            for (RecordComponent c : l.getClass().getRecordComponents()) {
                Object zero = zeroOf(c.getType());
                if (zero == null || c.getName().contains("hecksum") || c.getName().contains("ength")) {
                    continue;
                }
                Object current = get(c, l);
                if (!zero.equals(current)) {
                    try {
                        add(out, Refit.replace(layers, i, Refit.with(l, c.getName(), zero)), bad);
                    } catch (PacketException e) {
                        // that field cannot be zero in this record: no candidate
                    }
                }
            }
        }
        return out;
    }

    private static void add(List<Packet> out, List<Layer> layers, List<Boolean> bad) {
        out.add(Packet.of(Refit.refit(layers, bad)));
        out.add(Packet.of(layers));
    }

    private static Object zeroOf(Class<?> type) {
        if (type == int.class) {
            return 0;
        } else if (type == long.class) {
            return 0L;
        } else if (type == boolean.class) {
            return false;
        } else if (type == MacAddress.class) {
            return MacAddress.ZERO;
        } else if (type == Ipv4Address.class) {
            return new Ipv4Address(0);
        } else if (type == Ipv6Address.class) {
            return new Ipv6Address(0, 0);
        }
        return null;
    }

    private static Object get(RecordComponent c, Layer l) {
        try {
            return c.getAccessor().invoke(l);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }

}
