#!/usr/bin/env python3
"""dhcp_probe.py - a small DHCP client for the integration tests, run inside
a test network namespace. It speaks DHCP over a UDP socket bound to port 68
on one interface (SO_BINDTODEVICE), so the interface needs an address of its
own (any address of the test network outside the pools); the server's
broadcast replies reach the socket. Every wait is bounded.

Modes (see --help of each):
  storm   many clients at once (distinct chaddrs): DISCOVER, REQUEST,
          retransmissions; every ACK is written to --out as it arrives:
          "ACK <chaddr> <yiaddr> <client-id or ->"
  verify  for every ACK recorded in --records: INIT-REBOOT REQUEST for the
          address, then DISCOVER; prints one line per client and a summary;
          --fresh N more clients DISCOVER and must not be offered a recorded
          address
  offers  broadcast one DISCOVER (PXE or plain) and print every reply that
          arrives within --wait seconds, one JSON object a line; --ciaddr and
          --giaddr fill those fields, --bind/--sport choose the source (a
          relay sends from port 67 of giaddr); with a giaddr, replies to
          port 67 are listened for too
  sniff   capture, on one interface (AF_PACKET), the DHCP replies (UDP to
          port 68 or 67) seen within --wait seconds: one JSON object a line
          with their IP destination and message type
  pxebs   send a REQUEST to a boot server on port 4011 and print the reply
"""
import argparse
import json
import os
import random
import select
import socket
import struct
import sys
import time

MAGIC = b"\x63\x82\x53\x63"
TYPES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK",
         7: "RELEASE", 8: "INFORM"}


def ip2b(s):
    return socket.inet_aton(s)


def b2ip(b):
    return socket.inet_ntoa(b)


def mac2b(s):
    return bytes(int(x, 16) for x in s.split(":"))


def b2mac(b):
    return ":".join("%02x" % x for x in b[:6])


def build(mtype, mac, xid, opts=(), ciaddr="0.0.0.0", bcast=True, giaddr="0.0.0.0"):
    """A BOOTREQUEST; opts is a list of (code, bytes)."""
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0,
                      0x8000 if bcast else 0, ip2b(ciaddr), b"\0" * 4, b"\0" * 4,
                      ip2b(giaddr), mac + b"\0" * 10, b"", b"")
    body = MAGIC + bytes([53, 1, mtype])
    for code, data in opts:
        body += bytes([code, len(data)]) + data
    body += b"\xff"
    pkt = hdr + body
    return pkt + b"\0" * max(0, 300 - len(pkt))


def parse(pkt):
    """A BOOTREPLY as a dict, or None."""
    if len(pkt) < 240 or pkt[0] != 2 or pkt[236:240] != MAGIC:
        return None
    r = {"xid": struct.unpack("!I", pkt[4:8])[0], "flags": struct.unpack("!H", pkt[10:12])[0],
         "ciaddr": b2ip(pkt[12:16]), "yiaddr": b2ip(pkt[16:20]), "siaddr": b2ip(pkt[20:24]),
         "giaddr": b2ip(pkt[24:28]), "chaddr": b2mac(pkt[28:34]),
         "sname": pkt[44:108].split(b"\0")[0].decode("latin-1"),
         "file": pkt[108:236].split(b"\0")[0].decode("latin-1"), "opts": {}}
    i = 240
    while i < len(pkt):
        c = pkt[i]
        if c == 0:
            i += 1
            continue
        if c == 255 or i + 1 >= len(pkt):
            break
        n = pkt[i + 1]
        r["opts"][c] = r["opts"].get(c, b"") + pkt[i + 2:i + 2 + n]
        i += 2 + n
    t = r["opts"].get(53)
    r["type"] = TYPES.get(t[0], "?") if t else "BOOTP"
    sid = r["opts"].get(54)
    r["server_id"] = b2ip(sid) if sid and len(sid) == 4 else None
    return r


def subopts(data):
    out = {}
    i = 0
    while i < len(data):
        c = data[i]
        if c == 0:
            i += 1
            continue
        if c == 255 or i + 1 >= len(data):
            break
        n = data[i + 1]
        out[c] = data[i + 2:i + 2 + n]
        i += 2 + n
    return out


def client_sock(iface, port=68, addr="0.0.0.0"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode() + b"\0")
    s.bind((addr, port))
    s.setblocking(False)
    return s


class Client:
    def __init__(self, mac, cid):
        self.mac = mac
        self.cid = cid
        self.xid = random.getrandbits(32)
        self.state = "discover"  # discover, request, done, failed
        self.tries = 0
        self.next = 0.0
        self.offer = None
        self.sid = None

    def opts(self):
        o = [(55, bytes([1, 3, 6, 15, 51, 54, 58, 59, 67]))]
        if self.cid:
            o.append((61, b"\x01" + self.mac))
        return o


def recv_all(s, timeout):
    out = []
    r, _, _ = select.select([s], [], [], max(0.0, timeout))
    if not r:
        return out
    while True:
        try:
            pkt = s.recv(4096)
        except BlockingIOError:
            return out
        p = parse(pkt)
        if p:
            out.append(p)


def storm(a):
    """N clients, started at --rate per second, each DISCOVER -> REQUEST."""
    s = client_sock(a.iface)
    dst = (a.dest, 67)
    clients = []
    for i in range(a.count):
        mac = bytes([0x02, 0xcc, a.prefix, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff])
        clients.append(Client(mac, a.client_id_every and i % a.client_id_every == 0))
    byxid = {c.xid: c for c in clients}
    out = open(a.out, "a", buffering=1)
    start = time.monotonic()
    end = start + a.duration
    started = 0
    acks = naks = 0
    while time.monotonic() < end:
        now = time.monotonic()
        want = min(a.count, int((now - start) * a.rate) + 1)
        while started < want:
            clients[started].next = now
            started += 1
        for c in clients[:started]:
            if c.state in ("done", "failed") or c.next > now:
                continue
            if c.tries >= 4:
                c.state = "failed"
                continue
            c.tries += 1
            c.next = now + 1.0
            if c.state == "discover":
                pkt = build(1, c.mac, c.xid, c.opts())
            else:
                pkt = build(3, c.mac, c.xid, c.opts() + [(50, ip2b(c.offer)), (54, ip2b(c.sid))])
            try:
                s.sendto(pkt, dst)
            except OSError:
                pass
        for p in recv_all(s, 0.01):
            c = byxid.get(p["xid"])
            if not c or p["chaddr"] != b2mac(c.mac):
                continue
            if p["type"] == "OFFER" and c.state == "discover":
                c.state, c.offer, c.sid, c.tries, c.next = "request", p["yiaddr"], p["server_id"], 0, 0
            elif p["type"] == "ACK" and c.state == "request":
                c.state = "done"
                acks += 1
                out.write("ACK %s %s %s\n" % (b2mac(c.mac), p["yiaddr"], "cid" if c.cid else "-"))
            elif p["type"] == "NAK" and c.state == "request":
                naks += 1
                c.state, c.tries, c.next = "discover", 0, 0
        if started == a.count and all(c.state in ("done", "failed") for c in clients):
            break
    out.close()
    print("# storm: %d clients started, %d ACKed, %d NAKs, %.1f s" %
          (started, acks, naks, time.monotonic() - start))


def exchange(s, dst, pkt, xid, want, tries=3, wait=1.0):
    """Sends pkt until a reply with xid arrives; returns it or None."""
    for _ in range(tries):
        s.sendto(pkt, dst)
        end = time.monotonic() + wait
        while time.monotonic() < end:
            for p in recv_all(s, end - time.monotonic()):
                if p["xid"] == xid and p["type"] in want:
                    return p
    return None


def verify(a):
    s = client_sock(a.iface)
    dst = (a.dest, 67)
    recs = {}
    for line in open(a.records):
        f = line.split()
        if len(f) >= 4 and f[0] == "ACK":
            recs.setdefault(f[1], []).append((f[2], f[3] == "cid"))
    held = {}
    bad = 0
    for mac, lst in recs.items():
        # A client ACKed twice (retransmission) must have got the same address.
        if len(set(x[0] for x in lst)) != 1:
            print("not-one-address %s %s" % (mac, " ".join(x[0] for x in lst)))
            bad += 1
        addr, cid = lst[-1]
        if addr in held:
            print("two-clients %s %s %s" % (addr, held[addr], mac))
            bad += 1
        held[addr] = mac
    for mac, lst in sorted(recs.items()):
        addr, cid = lst[-1]
        mb = mac2b(mac)
        extra = [(61, b"\x01" + mb)] if cid else []
        xid = random.getrandbits(32)
        p = exchange(s, dst, build(3, mb, xid, extra + [(50, ip2b(addr))]), xid, ("ACK", "NAK"))
        r1 = p["type"] + ":" + p["yiaddr"] if p else "none"
        xid = random.getrandbits(32)
        p = exchange(s, dst, build(1, mb, xid, extra), xid, ("OFFER",))
        r2 = p["yiaddr"] if p else "none"
        good = r1 == "ACK:" + addr and r2 == addr
        bad += not good
        print("%s %s %s reboot=%s discover=%s" % ("kept" if good else "LOST", mac, addr, r1, r2))
    collide = 0
    for i in range(a.fresh):
        mb = bytes([0x02, 0xdd, 0, 0, (i >> 8) & 0xff, i & 0xff])
        xid = random.getrandbits(32)
        p = exchange(s, dst, build(1, mb, xid, []), xid, ("OFFER",), tries=2)
        if p and p["yiaddr"] in held:
            print("fresh client %s offered %s, held by %s" % (b2mac(mb), p["yiaddr"],
                                                              held[p["yiaddr"]]))
            collide += 1
    print("# verify: %d clients, %d problems, %d fresh clients, %d offered a held address" %
          (len(recs), bad, a.fresh, collide))
    sys.exit(1 if bad or collide else 0)


def offers(a):
    s = client_sock(a.iface, a.sport, a.bind)
    socks = [s]
    if a.giaddr != "0.0.0.0" and a.sport != 67:
        socks.append(client_sock(a.iface, 67))  # where a relay's replies go
    mac = mac2b(a.mac)
    xid = random.getrandbits(32)
    o = [(55, bytes([1, 3, 6, 43, 60, 66, 67]))]
    if a.vendor:
        o.append((60, a.vendor.encode()))
    if a.arch is not None:
        o.append((93, struct.pack("!H", a.arch)))
        o.append((94, b"\x01\x03\x00"))
        o.append((97, b"\x00" + bytes(range(16))))
    s.sendto(build(1, mac, xid, o, ciaddr=a.ciaddr, bcast=not a.no_bcast, giaddr=a.giaddr),
             (a.dest, 67))
    end = time.monotonic() + a.wait
    n = 0
    while time.monotonic() < end:
        r, _, _ = select.select(socks, [], [], max(0.0, end - time.monotonic()))
        for rs in r:
            for p in recv_all(rs, 0):
                if p["xid"] != xid:
                    continue
                n += 1
                print(json.dumps(describe(p)))
    sys.exit(0 if n else 1)


def sniff(a):
    """DHCP replies on the wire of --iface, whoever they are addressed to."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind((a.iface, 0))
    s.setblocking(False)
    if a.ready:
        open(a.ready, "w").close()
    end = time.monotonic() + a.wait
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
        if not r:
            continue
        while True:
            try:
                frame = s.recv(65535)
            except BlockingIOError:
                break
            ip = frame[14:]
            if len(ip) < 20 or ip[9] != 17:
                continue
            ihl = (ip[0] & 15) * 4
            udp = ip[ihl:]
            if len(udp) < 8:
                continue
            dport = struct.unpack("!H", udp[2:4])[0]
            p = parse(udp[8:])
            if dport not in (67, 68) or not p:
                continue
            print(json.dumps({"dst": b2ip(ip[16:20]), "dport": dport, "type": p["type"],
                              "yiaddr": p["yiaddr"], "chaddr": p["chaddr"]}), flush=True)


def describe(p):
    d = {k: p[k] for k in ("type", "yiaddr", "siaddr", "server_id", "file", "chaddr")}
    opts = p["opts"]
    d["opt60"] = opts.get(60, b"").decode("latin-1") if 60 in opts else None
    d["opt67"] = opts.get(67, b"").decode("latin-1") if 67 in opts else None
    if 43 in opts:
        d["opt43"] = {str(k): v.hex() for k, v in subopts(opts[43]).items()}
    return d


def pxebs(a):
    """REQUEST to port 4011 from our address (source port --sport)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.ciaddr, a.sport))
    s.setblocking(False)
    mac = mac2b(a.mac)
    xid = random.getrandbits(32)
    o = [(55, bytes([1, 3, 43, 60, 66, 67])), (60, a.vendor.encode()),
         (93, struct.pack("!H", a.arch)), (94, b"\x01\x03\x00")]
    if a.item:
        o.append((43, bytes([71, 4]) + struct.pack("!HH", a.item, 0) + b"\xff"))
    p = exchange(s, (a.server, 4011), build(3, mac, xid, o, ciaddr=a.ciaddr, bcast=False), xid,
                 ("ACK",), tries=3, wait=1.0)
    if not p:
        print("no reply")
        sys.exit(1)
    print(json.dumps(describe(p)))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    st = sub.add_parser("storm")
    st.add_argument("--iface", required=True)
    st.add_argument("--dest", default="255.255.255.255")
    st.add_argument("--count", type=int, default=200)
    st.add_argument("--rate", type=float, default=100.0)
    st.add_argument("--duration", type=float, default=10.0)
    st.add_argument("--prefix", type=int, default=0)
    st.add_argument("--client-id-every", type=int, default=3)
    st.add_argument("--out", required=True)
    ve = sub.add_parser("verify")
    ve.add_argument("--iface", required=True)
    ve.add_argument("--dest", default="255.255.255.255")
    ve.add_argument("--records", required=True)
    ve.add_argument("--fresh", type=int, default=0)
    of = sub.add_parser("offers")
    of.add_argument("--iface", required=True)
    of.add_argument("--dest", default="255.255.255.255")
    of.add_argument("--mac", required=True)
    of.add_argument("--vendor")
    of.add_argument("--arch", type=int)
    of.add_argument("--wait", type=float, default=3.0)
    of.add_argument("--ciaddr", default="0.0.0.0")
    of.add_argument("--giaddr", default="0.0.0.0")
    of.add_argument("--bind", default="0.0.0.0")
    of.add_argument("--sport", type=int, default=68)
    of.add_argument("--no-bcast", action="store_true")
    sn = sub.add_parser("sniff")
    sn.add_argument("--iface", required=True)
    sn.add_argument("--wait", type=float, default=5.0)
    sn.add_argument("--ready")
    pb = sub.add_parser("pxebs")
    pb.add_argument("--server", required=True)
    pb.add_argument("--ciaddr", required=True)
    pb.add_argument("--sport", type=int, default=68)
    pb.add_argument("--mac", required=True)
    pb.add_argument("--vendor", default="PXEClient:Arch:00007:UNDI:003000")
    pb.add_argument("--arch", type=int, default=7)
    pb.add_argument("--item", type=int, default=0)
    a = ap.parse_args()
    {"storm": storm, "verify": verify, "offers": offers, "pxebs": pxebs,
     "sniff": sniff}[a.mode](a)


if __name__ == "__main__":
    main()
