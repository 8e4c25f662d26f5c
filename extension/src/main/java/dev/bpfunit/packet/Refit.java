package dev.bpfunit.packet;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Recomputes the derived fields of a layer list (next types, lengths, checksums) after layers were removed or changed. */
final class Refit {
    private Refit() {
    }

    /** A copy of record {@code r} with component {@code field} set to {@code value}. */
    @SuppressWarnings("unchecked")
    static <T extends Layer> T with(T r, String field, Object value) {
        RecordComponent[] cs = r.getClass().getRecordComponents();
        Object[] args = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        boolean found = false;
        for (int i = 0; i < cs.length; i++) {
            types[i] = cs[i].getType();
            try {
                args[i] = cs[i].getName().equals(field) ? value : cs[i].getAccessor().invoke(r);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(e);
            }
            found |= cs[i].getName().equals(field);
        }
        if (!found) {
            throw new IllegalArgumentException(r.name() + " has no field " + field);
        }
        try {
            Constructor<?> c = r.getClass().getDeclaredConstructor(types);
            return (T) c.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fixes next-type fields, lengths and checksums, innermost first. Where {@code keepBad} (one flag per layer, or
     * null) is true, the checksum is made wrong again (so a shrunk packet keeps the defect that made it fail).
     */
    static List<Layer> refit(List<Layer> input, List<Boolean> keepBad) {
        List<Layer> layers = new ArrayList<>(input);
        byte[] tail = new byte[0];
        for (int i = layers.size() - 1; i >= 0; i--) {
            Layer l = layers.get(i);
            Layer next = i + 1 < layers.size() ? layers.get(i + 1) : null;
            int etherType = etherTypeOf(next);
            int ipProto = ipProtocolOf(next);
            if (l instanceof Ethernet e && etherType >= 0) {
                l = with(e, "etherType", new EtherType(etherType));
            } else if (l instanceof Vlan v && etherType >= 0) {
                l = with(v, "etherType", new EtherType(etherType));
            } else if (l instanceof Gre g && etherType >= 0) {
                l = with(g, "protocolType", new EtherType(etherType));
            } else if (l instanceof Geneve g && etherType >= 0) {
                l = with(g, "protocolType", new EtherType(etherType));
            } else if (l instanceof Ipv4 ip) {
                l = with(with(ip, "ihl", ip.headerLength() / 4), "totalLength", ip.headerLength() + tail.length);
                if (ipProto >= 0) {
                    l = with(l, "protocol", new IpProtocol(ipProto));
                }
            } else if (l instanceof Ipv6 ip) {
                l = with(ip, "payloadLength", tail.length);
                if (ipProto >= 0) {
                    l = with(l, "nextHeader", new IpProtocol(ipProto));
                }
            } else if (l instanceof Ipv6ExtensionHeader x && ipProto >= 0) {
                l = with(x, "nextHeader", new IpProtocol(ipProto));
            } else if (l instanceof Udp u) {
                l = with(u, "length", Udp.LENGTH + tail.length);
            } else if (l instanceof Tcp t) {
                l = with(t, "dataOffset", t.headerLength() / 4);
            }
            if (Checksums.hasChecksum(l) && !(l instanceof Gre g && !g.checksumPresent())
                    && !(l instanceof Udp u && u.checksum() == 0 && !(Checksums.enclosingIp(layers, i) instanceof Ipv6))) {
                layers.set(i, l);
                l = withChecksum(layers, i, tail, keepBad != null && keepBad.get(i));
            }
            layers.set(i, l);
            if (!(l instanceof Trailer)) {
                tail = new Wire().bytes(l.encode()).bytes(tail).toArray();
            }
        }
        return layers;
    }

    private static Layer withChecksum(List<Layer> layers, int i, byte[] tail, boolean bad) {
        Layer l = layers.get(i);
        byte[] header = l.encode();
        byte[] wire = new Wire().bytes(header).bytes(tail).toArray();
        int segLen = l instanceof Ipv4 ? header.length : wire.length;
        int sum = Checksums.compute(layers, i, wire, 0, segLen);
        if (sum < 0) {
            return l;
        }
        if (bad) {
            sum = (sum + 1) & 0xffff;
        }
        return with(l, "checksum", sum);
    }

    static int etherTypeOf(Layer next) {
        if (next instanceof Ipv4) {
            return EtherType.IPV4.value();
        } else if (next instanceof Ipv6) {
            return EtherType.IPV6.value();
        } else if (next instanceof Arp) {
            return EtherType.ARP.value();
        } else if (next instanceof Vlan) {
            return EtherType.VLAN.value();
        } else if (next instanceof Ethernet) {
            return EtherType.TEB.value();
        }
        return -1;
    }

    static int ipProtocolOf(Layer next) {
        if (next instanceof Ipv4) {
            return 4;
        } else if (next instanceof Ipv6) {
            return 41;
        } else if (next instanceof Tcp) {
            return 6;
        } else if (next instanceof Udp) {
            return 17;
        } else if (next instanceof Icmp) {
            return 1;
        } else if (next instanceof Icmpv6) {
            return 58;
        } else if (next instanceof Gre) {
            return 47;
        } else if (next instanceof Ipv6HopByHop) {
            return 0;
        } else if (next instanceof Ipv6Routing) {
            return 43;
        } else if (next instanceof Ipv6Fragment) {
            return 44;
        } else if (next instanceof Ipv6DestinationOptions) {
            return 60;
        }
        return -1;
    }

    static <T> List<T> without(List<T> layers, int index) {
        List<T> l = new ArrayList<>(layers);
        l.remove(index);
        return l;
    }

    static List<Layer> replace(List<Layer> layers, int index, Layer layer) {
        List<Layer> l = new ArrayList<>(layers);
        l.set(index, layer);
        return l;
    }

    static byte[] zeros(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0);
        return b;
    }
}
