#!/usr/bin/env python3
"""tftp_flood.py - read requests nobody acknowledges, as a forged-source
flood sends them (t/tftp_flood.sh). Every source address must be local
(added to the client namespace's interface). Every loop is bounded.

  flood SERVER PORT FILE COUNT SECS MARK_AT MARK ADDR...
      COUNT RRQs asking timeout=255, round-robin over the ADDRs, each from
      a new port that is closed at once, spread over SECS seconds; the file
      MARK is created once MARK_AT have been sent.
  floodhold ...
      The same, each socket kept open (unread) for 30 s after the last
      request, as a source that is not there sends no ICMP "port
      unreachable" either.
  silent SERVER PORT FILE SECS ADDR
      One RRQ (no option) from ADDR, never acknowledged: prints the count of
      datagrams that came back in SECS seconds ("packets 3"), then their
      payload bytes ("bytes 1548").
  burst SERVER PORT FILE COUNT SECS ADDR
      COUNT RRQs from ADDR at once, each from its own port, none
      acknowledged: prints how many got an answer in SECS seconds
      ("answered 3").
"""
import resource
import socket
import struct
import sys
import time


def rrq(name, opts=()):
    body = name.encode() + b"\0octet\0"
    for k, v in opts:
        body += k.encode() + b"\0" + str(v).encode() + b"\0"
    return struct.pack("!H", 1) + body


def flood(server, port, name, count, secs, mark_at, mark, addrs, hold=False):
    pkt = rrq(name, [("timeout", 255)])
    start = time.monotonic()
    held = []
    if hold:
        resource.setrlimit(resource.RLIMIT_NOFILE, (count + 64, count + 64))
    for i in range(count):
        if i == mark_at:
            open(mark, "w").close()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind((addrs[i % len(addrs)], 0))
            s.sendto(pkt, (server, port))
        except OSError:
            pass
        if hold:
            held.append(s)
        else:
            s.close()
        # Keep to the schedule: request i at i * secs / count.
        ahead = start + (i + 1) * secs / count - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
    print("sent %d in %.1f s" % (count, time.monotonic() - start))
    if hold:
        # Open until the server is done with them: none answers, and the
        # kernel reports no closed port (ICMP) a server could learn from.
        time.sleep(30)
        for s in held:
            s.close()


def silent(server, port, name, secs, addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    s.settimeout(0.2)
    s.sendto(rrq(name), (server, port))
    n, size, end = 0, 0, time.monotonic() + secs
    while time.monotonic() < end:
        try:
            size += len(s.recvfrom(65536)[0])
            n += 1
        except socket.timeout:
            pass
    print("packets %d" % n)
    print("bytes %d" % size)


def burst(server, port, name, count, secs, addr):
    socks = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, 0))
        s.setblocking(False)
        s.sendto(rrq(name), (server, port))
        socks.append(s)
    answered, end = set(), time.monotonic() + secs
    while time.monotonic() < end:
        for i, s in enumerate(socks):
            try:
                s.recvfrom(65536)
                answered.add(i)
            except BlockingIOError:
                pass
        time.sleep(0.05)
    print("answered %d" % len(answered))


if __name__ == "__main__":
    cmd, server, port, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if cmd in ("flood", "floodhold"):
        flood(server, port, name, int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]),
              sys.argv[8], sys.argv[9:], cmd == "floodhold")
    elif cmd == "silent":
        silent(server, port, name, float(sys.argv[5]), sys.argv[6])
    elif cmd == "burst":
        burst(server, port, name, int(sys.argv[5]), float(sys.argv[6]), sys.argv[7])
