#!/usr/bin/env python3
# dhcp_acks.py IFACE SECONDS: prints "time chaddr yiaddr" for every DHCPACK
# seen on IFACE (inside the caller's network namespace; "any": every
# interface there, so a frame crossing a bridge shows more than once) for at
# most SECONDS,
# so a test can compare what servers acknowledged with what they stored.
# Reads frames with an AF_PACKET socket; every frame is bounds-checked.
import socket
import struct
import sys
import time

iface, secs = sys.argv[1], float(sys.argv[2])
# ETH_P_ALL: a tap for one protocol sees nothing on a bridge's port (the
# bridge takes the frame first); the ethertype is checked below
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
if iface != "any":
    s.bind((iface, 0))
s.settimeout(0.2)
end = time.monotonic() + secs
out = sys.stdout
while time.monotonic() < end:
    try:
        f = s.recv(4096)
    except socket.timeout:
        continue
    if len(f) < 14 + 20 + 8 + 240:
        continue
    if f[12:14] != b"\x08\x00":
        continue
    ihl = (f[14] & 15) * 4
    if f[14 + 9] != 17 or ihl < 20:
        continue
    u = 14 + ihl
    sport, dport = struct.unpack("!HH", f[u:u + 4])
    d = f[u + 8:]
    if sport != 67 or len(d) < 240 or d[0] != 2 or d[236:240] != b"\x63\x82\x53\x63":
        continue
    i, typ = 240, 0
    while i + 1 < len(d) and d[i] != 255:
        if d[i] == 0:
            i += 1
            continue
        if d[i] == 53 and i + 2 < len(d):
            typ = d[i + 2]
        i += 2 + d[i + 1]
    if typ != 5:
        continue
    out.write("%.3f %s %s\n" % (time.time(), d[28:34].hex(), socket.inet_ntoa(d[16:20])))
    out.flush()
