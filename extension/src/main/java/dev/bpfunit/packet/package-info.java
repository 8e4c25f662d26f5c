/**
 * Building, parsing, comparing and capturing network packets for tests of XDP and tc programs; pure Java, no kernel.
 *
 * <ul>
 *   <li>{@link dev.bpfunit.packet.Packets} builds a frame in one expression, filling in EtherTypes, protocol numbers,
 *       lengths and checksums unless told otherwise, so broken packets are as easy as good ones.</li>
 *   <li>{@link dev.bpfunit.packet.Packet} is an immutable list of {@link dev.bpfunit.packet.Layer} records;
 *       {@link dev.bpfunit.packet.Packet#parse(byte[])} turns any bytes back into one, leniently and losslessly.</li>
 *   <li>{@link dev.bpfunit.packet.PacketDiff} shows how two packets differ, field by field, for failure messages.</li>
 *   <li>{@link dev.bpfunit.packet.PcapReader}, {@link dev.bpfunit.packet.PcapWriter} and
 *       {@link dev.bpfunit.packet.PcapDumps} read and write captures; {@link dev.bpfunit.packet.VerdictTable} replays one.</li>
 *   <li>{@link dev.bpfunit.packet.PacketGenerators}, {@link dev.bpfunit.packet.PacketShrinker} and
 *       {@link dev.bpfunit.packet.PacketProperties} support property-based tests.</li>
 * </ul>
 */
package dev.bpfunit.packet;
