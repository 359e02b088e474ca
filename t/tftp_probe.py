#!/usr/bin/env python3
"""tftp_probe.py - hand-made TFTP packets for what real clients never send:
a foreign transfer ID, malformed requests, write requests, error texts, an
option request whose OACK is printed, and a client that stops answering."""
import socket
import struct
import sys
import time


def sock(timeout=3.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    s.bind(("127.0.0.1", 0))
    return s


def rrq(name, opts=()):
    body = name.encode() + b"\0octet\0"
    for k, v in opts:
        body += k.encode() + b"\0" + str(v).encode() + b"\0"
    return struct.pack("!H", 1) + body


def foreign(host, port, name):
    """Starts a transfer, sends a packet from a third port, finishes."""
    c = sock()
    c.sendto(rrq(name), (host, port))
    data, tid = c.recvfrom(65536)
    other = sock()
    other.sendto(struct.pack("!HH", 4, 1), tid)
    try:
        e, _ = other.recvfrom(1024)
        code = struct.unpack("!HH", e[:4])
        res = "error5" if code == (5, 5) else "wrong%d/%d" % code
    except socket.timeout:
        res = "noerror"
    total = 0
    while True:
        op, blk = struct.unpack("!HH", data[:4])
        if op != 3:
            return res + " fail"
        if blk == ((total // 512) + 1) & 0xFFFF:
            total += len(data) - 4
        c.sendto(struct.pack("!HH", 4, blk), tid)
        if len(data) - 4 < 512:
            break
        data, _ = c.recvfrom(65536)
    return "%s ok %d" % (res, total)


def errors(host, port):
    """Prints the error texts answering requests that fail."""
    for name in ["missing-file", "../x", "sub/../../../etc/passwd", "/etc/passwd"]:
        c = sock()
        c.sendto(rrq(name), (host, port))
        try:
            e, _ = c.recvfrom(1024)
            print(e[4:].rstrip(b"\0").decode(errors="replace"))
        except socket.timeout:
            print("timeout")


def garbage(host, port):
    for pkt in [b"", b"\x00", b"\x00\x01", b"\x00\x01abc", b"\x00\x01abc\x00",
                b"\x00\x09x\x00octet\x00", b"\x00\x01" + b"a" * 1500,
                b"\x00\x01x\x00octet\x00blksize\x00", b"\x00\x01x\x00octet\x00blksize\x0099999999999999999999\x00"]:
        c = sock(0.5)
        c.sendto(pkt, (host, port))
        try:
            c.recvfrom(1024)
        except socket.timeout:
            pass


def oack(host, port, name, opts):
    """Prints the options an OACK grants ("blksize=1468 windowsize=2"), then
    declines it (error 8) so the transfer ends."""
    c = sock()
    c.sendto(rrq(name, [o.split("=", 1) for o in opts]), (host, port))
    data, tid = c.recvfrom(65536)
    op = struct.unpack("!H", data[:2])[0]
    if op != 6:
        print("op %d" % op)
        return
    f = data[2:].split(b"\0")
    print(" ".join(sorted("%s=%s" % (f[i].decode(), f[i + 1].decode())
                          for i in range(0, len(f) - 1, 2))))
    c.sendto(struct.pack("!HH", 5, 8) + b"declined\0", tid)


def stall(host, port, name, secs, opts):
    """Asks for a file with options and never answers the OACK: prints how
    many OACKs came ("oack 2") in secs seconds."""
    c = sock(0.2)
    c.sendto(rrq(name, [o.split("=", 1) for o in opts]), (host, port))
    n, end = 0, time.monotonic() + float(secs)
    while time.monotonic() < end:
        try:
            data, _ = c.recvfrom(65536)
        except socket.timeout:
            continue
        if struct.unpack("!H", data[:2])[0] == 6:
            n += 1
    print("oack %d" % n)


def wrq(host, port):
    c = sock()
    c.sendto(struct.pack("!H", 2) + b"upload\0octet\0", (host, port))
    e, _ = c.recvfrom(1024)
    op, code = struct.unpack("!HH", e[:4])
    print("error %d" % code if op == 5 else "op %d" % op)


if __name__ == "__main__":
    cmd, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "foreign":
        print(foreign(host, port, sys.argv[4]))
    elif cmd == "errors":
        errors(host, port)
    elif cmd == "garbage":
        garbage(host, port)
    elif cmd == "stall":
        stall(host, port, sys.argv[4], sys.argv[5], sys.argv[6:])
    elif cmd == "oack":
        oack(host, port, sys.argv[4], sys.argv[5:])
    elif cmd == "wrq":
        wrq(host, port)
