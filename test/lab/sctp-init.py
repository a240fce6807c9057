#!/usr/bin/env python3
"""Sends one SCTP INIT chunk per flow from a raw socket (Node.js has no SCTP), so conntrack sees
new SCTP associations. Reads {"flows": [{source, sourcePort, destination, destinationPort}]} on
standard input. Run by the k8s-ipt kernel lab inside a network namespace; bounded by the list."""
import json
import random
import socket
import struct
import sys

def crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table

TABLE = crc32c_table()

def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF

def init_packet(sport, dport):
    tag = random.randint(1, 0xFFFFFFFF)
    chunk = struct.pack('!BBHIIHHI', 1, 0, 20, tag, 65535, 10, 10, tag)
    header = struct.pack('!HHII', sport, dport, 0, 0)
    packet = header + chunk
    checksum = crc32c(packet)
    # SCTP puts the CRC32c in little-endian byte order on the wire.
    return header[:8] + struct.pack('<I', checksum) + chunk

def main():
    flows = json.load(sys.stdin)['flows']
    sockets = {}
    for f in flows:
        sock = sockets.get(f['source'])
        if sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_SCTP)
            sock.bind((f['source'], 0))
            sockets[f['source']] = sock
        sock.sendto(init_packet(f['sourcePort'], f['destinationPort']), (f['destination'], 0))
    for sock in sockets.values():
        sock.close()

main()
