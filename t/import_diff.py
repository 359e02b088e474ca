#!/usr/bin/env python3
"""import_diff.py - the client side of t/import_diff.sh: the same DHCP
client profiles (real firmware's options, t/../CLIENTS facts) sent to one
server, the replies reduced to the fields compared; then the comparison of
two such records.

  ask --iface IF --out FILE [--host-mac MAC] [--codes 3,6,...] [--request]
      every profile DISCOVERs at once (distinct chaddr and xid); replies
      are collected for at most --wait seconds (stops early once every
      profile has one); with --request each OFFER with an address is
      REQUESTed and the ACK recorded too; with --pxebs (proxy mode)
      each proxy OFFER is followed by a REQUEST to the boot server's port
      4011, its ACK recorded in place of one. One JSON object per profile.
  compare NAME A B [NAME A B ...]
      one line per configuration, profile and field: "same NAME PROFILE
      FIELD VALUE" or "diff NAME PROFILE FIELD A-VALUE B-VALUE" (values
      JSON-encoded).
"""
import argparse
import json
import select
import socket
import struct
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from dhcp_probe import build, parse, client_sock, mac2b, ip2b, subopts  # noqa: E402

CIADDR = "198.18.0.250"  # the client end of the test's veth pair
UUID = b"\x00" + bytes(range(16))
# Intel PXE 2.1 BIOS ROM (as QEMU's e1000 option ROMs and PXE 2.x NICs send).
PRL_BIOS = bytes([1, 2, 3, 4, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41, 42, 43,
                  50, 51, 54, 58, 59, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135])
# OVMF's PXE and HTTP boot (EDK2 PxeBcDhcp4.c / HttpBootDhcp4.c).
PRL_EFI = bytes([1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54,
                 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135])
# iPXE (CLIENTS.md): 1,3,6,7,12,15,17,26,43,60,66,67,119,128-135,175,203.
PRL_IPXE = bytes([1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129, 130, 131, 132,
                  133, 134, 135, 175, 203])
# ISC dhclient's default request.
PRL_PLAIN = bytes([1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42])
# iPXE's option 175 (feature TLVs: PXE extensions, HTTP, DNS, TFTP, bzImage, version).
IPXE_175 = bytes([0x10, 1, 1, 0x13, 1, 1, 0x14, 1, 1, 0x15, 1, 1, 0x11, 1, 1, 0x18, 1, 1,
                  0xeb, 3, 1, 0, 0])


def pxe(vendor, arch, nii, prl):
    return [(55, prl), (57, struct.pack("!H", 1472)), (60, vendor.encode()),
            (93, struct.pack("!H", arch)), (94, nii), (97, UUID)]


def profiles(host_mac):
    bios = pxe("PXEClient:Arch:00000:UNDI:002001", 0, b"\x01\x02\x01", PRL_BIOS)
    p = [
        ("bios", "02:00:00:00:01:01", bios),
        ("efi64", "02:00:00:00:01:02",
         pxe("PXEClient:Arch:00007:UNDI:003000", 7, b"\x01\x03\x00", PRL_EFI)),
        ("ipxe", "02:00:00:00:01:03",
         pxe("PXEClient:Arch:00000:UNDI:002001", 0, b"\x01\x02\x01", PRL_IPXE) +
         [(77, b"iPXE"), (175, IPXE_175), (61, b"\x01" + mac2b("02:00:00:00:01:03"))]),
        ("http", "02:00:00:00:01:04",
         pxe("HTTPClient:Arch:00016:UNDI:003000", 16, b"\x01\x03\x00", PRL_EFI)),
        ("plain", "02:00:00:00:01:05", [(55, PRL_PLAIN), (57, struct.pack("!H", 576))]),
        # snponly.efi (CLIENTS.md): UEFI and iPXE at once, which rule wins.
        ("ipxe-efi", "02:00:00:00:01:06",
         pxe("PXEClient:Arch:00007:UNDI:003010", 7, b"\x01\x03\x0a", PRL_IPXE) +
         [(77, b"iPXE"), (175, IPXE_175), (61, b"\x01" + mac2b("02:00:00:00:01:06"))]),
        # x64 UEFI firmware that says arch 9 (RFC 4578 names it EFI BC).
        ("efi-9", "02:00:00:00:01:07",
         pxe("PXEClient:Arch:00009:UNDI:003000", 9, b"\x01\x03\x00", PRL_EFI)),
    ]
    if host_mac:
        p.append(("host", host_mac, bios))
    return p


def reduce(r, codes):
    if r is None:
        return None
    # The boot file and server as the client reads them: option 67 / 66 when
    # sent (dnsmasq then leaves file / sname empty), else the BOOTP fields;
    # dnsmasq ends 66 and 67 with a NUL (RFC 2132 section 2 needs none).
    o = r["opts"]
    d = {"type": r["type"], "siaddr": r["siaddr"],
         "bootfile": o[67].rstrip(b"\0").decode("latin-1") if 67 in o else r["file"],
         "server": o[66].rstrip(b"\0").decode("latin-1") if 66 in o else r["sname"]}
    for c in codes:
        if c in r["opts"]:
            d["opt%d" % c] = r["opts"][c].hex()
    return d


def collect(s, pending, want, wait):
    """pending: xid -> name. Returns name -> reply (first of type want)."""
    got = {}
    end = time.monotonic() + wait
    while len(got) < len(pending) and time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
        if not r:
            continue
        while True:
            try:
                p = parse(s.recv(4096))
            except BlockingIOError:
                break
            if p and p["xid"] in pending and p["type"] in want and pending[p["xid"]] not in got:
                got[pending[p["xid"]]] = p
    return got


def pxebs(s, profs, offers, wait):
    """Proxy mode: each PXE client REQUESTs its boot file from the boot
    server on port 4011 (PXE 2.1 section 2.2.4), with ciaddr its own address
    and, when the proxy OFFER carried a boot menu (option 43 sub-option 9),
    the first item as boot server type, layer 0 (sub-option 71)."""
    rx = {}
    for i, (name, mac, opts) in enumerate(profs):
        o = offers.get(name)
        if not o or not o["server_id"]:
            continue
        sub = subopts(o["opts"].get(43, b""))
        extra = []
        if 9 in sub and len(sub[9]) >= 2:
            extra = [(43, bytes([71, 4]) + sub[9][:2] + b"\0\0\xff")]
        xid = 0x5e000001 + i * 2
        rx[xid] = name
        s.sendto(build(3, mac2b(mac), xid, opts + extra, ciaddr=CIADDR, bcast=False),
                 (o["server_id"], 4011))
    return collect(s, rx, ("ACK",), wait)


def ask(a):
    codes = [43, 60] + [int(c) for c in a.codes.split(",") if c]
    s = client_sock(a.iface)
    profs = profiles(a.host_mac)
    xids = {}
    for i, (name, mac, opts) in enumerate(profs):
        xid = 0x5e000000 + i * 2
        xids[xid] = name
        s.sendto(build(1, mac2b(mac), xid, opts), ("255.255.255.255", 67))
    t0 = time.monotonic()
    offers = collect(s, xids, ("OFFER",), a.wait)
    t1 = time.monotonic()
    acks = {}
    if a.request:
        rx = {}
        for i, (name, mac, opts) in enumerate(profs):
            o = offers.get(name)
            if not o or o["yiaddr"] == "0.0.0.0":
                continue
            xid = 0x5e000001 + i * 2
            rx[xid] = name
            req = opts + [(50, ip2b(o["yiaddr"])), (54, ip2b(o["server_id"]))]
            s.sendto(build(3, mac2b(mac), xid, req), ("255.255.255.255", 67))
        acks = collect(s, rx, ("ACK", "NAK"), a.wait)
    elif a.pxebs:
        acks = pxebs(s, profs, offers, a.wait)
    print("# %s %s: %d offers in %.1f s, %d acks in %.1f s" %
          (a.out.rsplit("/", 1)[-1], a.iface, len(offers), t1 - t0, len(acks), time.monotonic() - t1))
    with open(a.out, "w") as f:
        for name, _, _ in profs:
            f.write(json.dumps({"profile": name, "offer": reduce(offers.get(name), codes),
                                "ack": reduce(acks.get(name), codes)}) + "\n")


def fields(rec):
    out = {}
    for step in ("offer", "ack"):
        r = rec[step]
        out[step] = "none" if r is None else r["type"]
    return out


def detail(rec, step):
    out = {}
    if rec[step] is not None:
        for k, v in rec[step].items():
            if k != "type":
                out["%s.%s" % (step, k)] = v
    return out


def compare(a):
    for i in range(0, len(a.pairs) - 2, 3):
        compare_one(*a.pairs[i:i + 3])


def compare_one(name, fa, fb):
    A = {r["profile"]: r for r in map(json.loads, open(fa))}
    B = {r["profile"]: r for r in map(json.loads, open(fb))}
    for prof in A:
        ra, rb = A[prof], B[prof]
        fa, fb = fields(ra), fields(rb)
        for step in ("offer", "ack"):
            # Fields are compared where both replied (a missing reply is one difference).
            if ra[step] is not None and rb[step] is not None:
                fa.update(detail(ra, step))
                fb.update(detail(rb, step))
        for k in sorted(set(fa) | set(fb), key=lambda k: (k.split(".")[0] != "offer", k)):
            va, vb = fa.get(k), fb.get(k)
            if va == vb:
                print("same %s %s %s %s" % (name, prof, k, json.dumps(va)))
            else:
                print("diff %s %s %s %s %s" % (name, prof, k, json.dumps(va), json.dumps(vb)))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    q = sub.add_parser("ask")
    q.add_argument("--iface", required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--host-mac")
    q.add_argument("--codes", default="")
    q.add_argument("--wait", type=float, default=2.0)
    q.add_argument("--request", action="store_true")
    q.add_argument("--pxebs", action="store_true")
    c = sub.add_parser("compare")
    c.add_argument("pairs", nargs="+", help="NAME A B ...")
    a = ap.parse_args()
    {"ask": ask, "compare": compare}[a.mode](a)


if __name__ == "__main__":
    main()
