#!/usr/bin/env python3
"""openwrt_client.py - a DHCP client on one interface for t/openwrt_proxy.sh.

  ipxe-rom IFACE MAC       the DISCOVER of the iPXE ROM in QEMU (BIOS) with its
                           real options (see CLIENTS.md); prints every reply
                           to it collected for 3 s, one JSON line each
  renew IFACE MAC IP SRV   a RENEW as RFC 2131 4.4.5 has it: REQUEST unicast
                           from IP:68 to SRV:67, ciaddr IP, no server id;
                           prints the reply (exit 1: none within 3 tries)
"""
import json
import os
import random
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dhcp_probe as p  # noqa: E402


def ipxe_rom(iface, mac):
    s = p.client_sock(iface)
    m = p.mac2b(mac)
    xid = random.getrandbits(32)
    prl = bytes([1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119]) + bytes(range(128, 136)) + \
        bytes([175, 203])
    o = [(57, struct.pack("!H", 1472)), (93, b"\0\0"), (94, b"\x01\x02\x01"),
         (60, b"PXEClient:Arch:00000:UNDI:002001"), (77, b"iPXE"), (61, b"\x01" + m),
         (97, b"\0" + bytes(range(16))), (55, prl),
         (175, b"\x13\x01\x01\x11\x01\x01\x10\x01\x02\xeb\x03\x01\x00\x00\x17\x01\x01")]
    s.sendto(p.build(1, m, xid, o), ("255.255.255.255", 67))
    end = time.monotonic() + 3.0
    n = 0
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
        if r:
            for q in p.recv_all(s, 0):
                if q["xid"] == xid:
                    n += 1
                    print(json.dumps(p.describe(q)))
    return 0 if n else 1


def renew(iface, mac, ip, srv):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode() + b"\0")
    s.bind((ip, 68))
    s.setblocking(False)
    m = p.mac2b(mac)
    xid = random.getrandbits(32)
    q = p.exchange(s, (srv, 67), p.build(3, m, xid, [(61, b"\x01" + m)], ciaddr=ip, bcast=False),
                   xid, ("ACK", "NAK"), tries=3, wait=1.0)
    if not q:
        print("no reply")
        return 1
    print(json.dumps(p.describe(q)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "ipxe-rom":
        sys.exit(ipxe_rom(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 6 and sys.argv[1] == "renew":
        sys.exit(renew(*sys.argv[2:]))
    sys.exit(__doc__)
