package dev.bpfunit.packet;

/**
 * Whether a layer's checksum field matches its bytes, as {@link Packet#checksumStatus(int)} reports it.
 */
public enum ChecksumStatus {
    /** The checksum is right. */
    GOOD,
    /** The checksum is wrong. */
    BAD,
    /** The layer carries no checksum this time: UDP over IPv4 with 0, GRE without the C bit. */
    ABSENT,
    /** The covered bytes are not all there (truncated, or a length that lies), or no IP header gives a pseudo-header. */
    UNVERIFIABLE,
    /** This kind of layer has no checksum. */
    NOT_APPLICABLE
}
