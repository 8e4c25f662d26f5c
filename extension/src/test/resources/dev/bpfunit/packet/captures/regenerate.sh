#!/bin/sh
# Regenerates the DNS capture fixtures from dns.txt (a hex dump of three DNS queries over IPv4, IPv6 and
# VLAN/IPv4, first produced with the bpfunit builder), and a Linux cooked capture (link type 113) from
# linux-sll.txt, using Wireshark's tools (apt-get install tshark).
set -e
cd "$(dirname "$0")"
text2pcap -q -F pcap -t '%H:%M:%S.' dns.txt dns.pcap
tshark -r dns.pcap -F pcapng -w dns.pcapng
text2pcap -q -F pcap -l 113 linux-sll.txt linux-sll.pcap
