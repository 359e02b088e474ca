#!/usr/bin/env python3
"""tftp_storm.py - a boot storm: N TFTP clients start at once, each reading one
file the way iPXE does (RRQ octet, blksize=1432 tsize=0, no windowsize).

Every client has its own source address (SRC_NET, which must be local, e.g. a
prefix on lo) so per-client limits of a server do not count the storm as one
host. Clients retransmit their last packet after --timeout seconds, up to
--retries times, like firmware does. Prints one line of key=value pairs:

  clients=500 ok=500 failed=0 wall=1.234 bytes=... retransmits=... errors=...

A client fails on an ERROR packet, a wrong length, or running out of retries.
"""
import argparse
import asyncio
import ipaddress
import socket
import struct
import sys
import time

OP_RRQ, OP_DATA, OP_ACK, OP_ERROR, OP_OACK = 1, 3, 4, 5, 6


class Client(asyncio.DatagramProtocol):
    def __init__(self, args, done):
        self.a = args
        self.done = done
        self.transport = None
        self.server = None  # the transfer's (addr, port), learnt from the first reply
        self.blksize = 512
        self.expect = 1
        self.received = 0
        self.last = None
        self.tries = 0
        self.timer = None
        self.retransmits = 0
        self.error = None

    def connection_made(self, transport):
        self.transport = transport
        req = (struct.pack("!H", OP_RRQ) + self.a.file.encode() + b"\0octet\0" +
               b"blksize\0%d\0tsize\0000\0" % self.a.blksize)
        self.send(req, (self.a.server, self.a.port))

    def send(self, pkt, to):
        self.last = (pkt, to)
        self.transport.sendto(pkt, to)
        self.arm()

    def arm(self):
        if self.timer:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(self.a.timeout, self.expire)

    def expire(self):
        self.tries += 1
        if self.tries > self.a.retries:
            self.finish("timeout at block %d" % self.expect)
            return
        self.retransmits += 1
        self.transport.sendto(*self.last)
        self.arm()

    def finish(self, error=None):
        if self.done.done():
            return
        if self.timer:
            self.timer.cancel()
        self.error = error
        self.transport.close()
        self.done.set_result(self)

    def datagram_received(self, data, addr):
        if self.done.done() or len(data) < 4:
            return
        if self.server is None:
            self.server = addr
        elif addr != self.server:
            return
        op, num = struct.unpack("!HH", data[:4])
        if op == OP_ERROR:
            self.finish("error %d %r" % (num, data[4:].split(b"\0")[0][:60]))
        elif op == OP_OACK and self.expect == 1 and self.received == 0:
            f = data[2:].split(b"\0")
            opts = {f[i].lower(): f[i + 1] for i in range(0, len(f) - 1, 2)}
            self.blksize = int(opts.get(b"blksize", b"512"))
            self.tries = 0
            self.send(struct.pack("!HH", OP_ACK, 0), addr)
        elif op == OP_DATA:
            if num == (self.expect & 0xFFFF):
                n = len(data) - 4
                self.received += n
                self.expect += 1
                self.tries = 0
                ack = struct.pack("!HH", OP_ACK, num)
                if n < self.blksize:
                    self.transport.sendto(ack, addr)
                    if self.received != self.a.size:
                        self.finish("got %d bytes, want %d" % (self.received, self.a.size))
                    else:
                        self.finish()
                else:
                    self.send(ack, addr)
            elif num == ((self.expect - 1) & 0xFFFF):
                # Our ACK was lost: say it again (RFC 1123 sec 4.2.3.1 allows
                # this for the receiver; the server must not double-send on it).
                self.transport.sendto(struct.pack("!HH", OP_ACK, num), addr)


async def main(a):
    loop = asyncio.get_running_loop()
    net = ipaddress.ip_network(a.src_net)
    hosts = list(net.hosts())
    if len(hosts) < a.clients:
        sys.exit("tftp_storm: %s has fewer than %d addresses" % (a.src_net, a.clients))
    futs = []
    t0 = time.monotonic()
    for i in range(a.clients):
        done = loop.create_future()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.bind((str(hosts[i]), 0))
        sock.setblocking(False)
        await loop.create_datagram_endpoint(lambda d=done: Client(a, d), sock=sock)
        futs.append(done)
    clients = await asyncio.gather(*futs)
    wall = time.monotonic() - t0
    failed = [c for c in clients if c.error]
    errors = {}
    for c in failed:
        errors[c.error.split(" at ")[0]] = errors.get(c.error.split(" at ")[0], 0) + 1
    print("clients=%d ok=%d failed=%d wall=%.3f bytes=%d retransmits=%d errors=%s" % (
        a.clients, a.clients - len(failed), len(failed), wall,
        sum(c.received for c in clients), sum(c.retransmits for c in clients),
        ";".join("%s:%d" % (k.replace(" ", "_"), v) for k, v in errors.items()) or "-"))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("server")
    p.add_argument("--port", type=int, default=69)
    p.add_argument("--file", required=True)
    p.add_argument("--size", type=int, required=True, help="expected length in bytes")
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--blksize", type=int, default=1432)
    p.add_argument("--src-net", default="198.18.4.0/22")
    p.add_argument("--timeout", type=float, default=1.0)
    p.add_argument("--retries", type=int, default=5)
    asyncio.run(main(p.parse_args()))
