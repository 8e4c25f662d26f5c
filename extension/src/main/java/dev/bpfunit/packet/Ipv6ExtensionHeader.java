package dev.bpfunit.packet;

/**
 * An IPv6 extension header: hop-by-hop options, routing, fragment or destination options.
 */
public sealed interface Ipv6ExtensionHeader extends Layer
        permits Ipv6HopByHop, Ipv6Routing, Ipv6Fragment, Ipv6DestinationOptions {

    /** The type of the header that follows. */
    IpProtocol nextHeader();
}
