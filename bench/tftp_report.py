#!/usr/bin/env python3
"""tftp_report.py OUTDIR - turns the raw results of bench/tftp.sh into
Markdown tables with ratios against the peers, and checks the targets."""
import os
import statistics
import sys

out = sys.argv[1]
PEERS = ["tftpd-hpa", "atftpd", "dnsmasq"]


def rows(name):
    p = os.path.join(out, name)
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def fmt(v, d=1):
    return "-" if v is None else ("%.*f" % (d, v))


def ratio(a, b):
    return None if a is None or not b else a / b


targets = []  # (description, met or None when unmeasured, detail)

print("# TFTP benchmark\n")
for line in open(os.path.join(out, "machine.txt")):
    print("    " + line.rstrip())
print()

# ---- iperf3 ----
ip = rows("iperf.tsv")
iperf = statistics.median(float(r[0]) for r in ip) if ip else None
if ip:
    print("## iperf3 UDP ceiling (1468-byte datagrams, unlimited rate)\n")
    print("received MiB/s (median of %d): **%.1f**; sent %.1f MiB/s, lost %s %%\n" % (
        len(ip), iperf, statistics.median(float(r[1]) for r in ip),
        "/".join(r[2] for r in ip)))

# ---- throughput ----
thr = rows("throughput.tsv")
neg = {(r[0], r[1], r[2]): r[3] for r in rows("negotiated.tsv")}
if thr:
    servers = list(dict.fromkeys(r[0] for r in thr))
    cells = list(dict.fromkeys((r[1], r[2]) for r in thr))
    rate = {}
    bad = {}
    for s in servers:
        for c in cells:
            rs = [r for r in thr if r[0] == s and (r[1], r[2]) == c]
            if not rs:
                continue
            v = [int(r[4]) / 1048576 / (int(r[5]) / 1e6) for r in rs]
            rate[s, c] = statistics.median(v)
            bad[s, c] = sum(1 for r in rs if r[6] != "1")
    runs = max(len([r for r in thr if r[0] == servers[0] and (r[1], r[2]) == c]) for c in cells)
    size = max(int(r[4]) for r in thr) / 1048576
    print("## One client (atftp 0.8.0), %.0f MiB file: MiB/s, median of %d run(s)\n" % (size, runs))
    print("`*` = some run incomplete (timed out or wrong bytes: rate of what arrived). "
          "Negotiated options in brackets, from the server's OACK (`-` = none).\n")
    print("| blksize | windowsize | " + " | ".join(servers) +
          " | pxebootd / best peer | best peer |")
    print("|---|---|" + "---|" * len(servers) + "---|---|")
    for c in cells:
        cols = []
        for s in servers:
            n = neg.get((s, c[0], c[1]), "?")
            n = n.replace("blksize:", "b").replace("windowsize:", "w").replace(",", " ")
            cols.append("%s%s [%s]" % (fmt(rate.get((s, c))), "*" if bad.get((s, c)) else "", n))
        peers = [(rate[p, c], p) for p in PEERS if (p, c) in rate]
        best = max(peers) if peers else (None, "-")
        r = ratio(rate.get(("pxebootd", c)), best[0])
        print("| %s | %s | %s | **%sx** | %s |" % (c[0], c[1] if c[1] != "0" else "-",
                                                  " | ".join(cols), fmt(r, 2), best[1]))
        targets.append(("%s x %s: >= 1.0x the fastest peer" % (c[0], c[1] if c[1] != "0" else "-"),
                        r is not None and r >= 1.0, "%sx %s" % (fmt(r, 2), best[1])))
    print()
    c = ("1468", "16")
    if ("pxebootd", c) in rate:
        r = ratio(rate["pxebootd", c], rate.get(("atftpd", c)))
        targets.append(("1468 x 16: >= 1.2x atftpd", r is not None and r >= 1.2,
                        "%sx" % fmt(r, 2)))
        r = ratio(rate["pxebootd", c], iperf)
        targets.append(("1468 x 16: >= 60%% of iperf3 (%s MiB/s)" % fmt(iperf),
                        None if r is None else r >= 0.6, "%s%%" % fmt(r and r * 100, 0)))
    c, c0 = ("8192", "16"), ("8192", "0")
    if ("pxebootd", c) in rate and ("pxebootd", c0) in rate:
        r = ratio(rate["pxebootd", c], rate["pxebootd", c0])
        targets.append(("8192 x 16: no collapse (>= pxebootd's own 8192 lock-step rate)",
                        r >= 1.0 and not bad["pxebootd", c],
                        "%s MiB/s, %sx lock-step; atftpd %s MiB/s" % (
                            fmt(rate["pxebootd", c]), fmt(r, 2), fmt(rate.get(("atftpd", c)))))),

# ---- storm ----
st = rows("storm.tsv")
if st:
    servers = list(dict.fromkeys(r[0] for r in st))
    counts = list(dict.fromkeys(r[1] for r in st))
    runs = max(int(r[2]) for r in st)
    print("## Boot storm: N clients at once, 80 KiB each (blksize 1432, tsize 0), "
          "%d run(s) per cell\n" % runs)
    print("wall = median seconds until the last client finished; failures summed over the runs; "
          "CPU = median server CPU seconds (user + system, its whole process tree); "
          "peak = largest peak memory of the server's cgroup (anonymous + kernel memory "
          "such as socket buffers) over the runs, MiB; RSS = the main process's VmHWM, MiB.\n")
    print("| clients | server | wall s | failures | retransmits | CPU s | peak MiB | RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    agg = {}
    for n in counts:
        for s in servers:
            rs = [r for r in st if r[0] == s and r[1] == n]
            if not rs:
                continue
            a = dict(wall=statistics.median(float(r[5]) for r in rs),
                     fail=sum(int(r[4]) for r in rs),
                     retr=sum(int(r[8].split("/")[0]) for r in rs),
                     cpu=statistics.median(int(r[6]) / 1e6 for r in rs),
                     peak=max(int(r[7]) for r in rs) / 1048576,
                     rss=max(int(r[8].split("/")[1] or 0) for r in rs) / 1048576)
            agg[s, n] = a
            print("| %s | %s | %.2f | %d | %d | %.3f | %.1f | %.1f |" % (
                n, s, a["wall"], a["fail"], a["retr"], a["cpu"], a["peak"], a["rss"]))
    print()
    print("pxebootd vs dnsmasq: ", end="")
    print("; ".join("%s clients: CPU %sx, peak %sx, RSS %sx" % (
        n, fmt(ratio(agg["pxebootd", n]["cpu"], agg.get(("dnsmasq", n), {}).get("cpu")), 2),
        fmt(ratio(agg["pxebootd", n]["peak"], agg.get(("dnsmasq", n), {}).get("peak")), 2),
        fmt(ratio(agg["pxebootd", n]["rss"], agg.get(("dnsmasq", n), {}).get("rss")), 2))
        for n in counts if ("pxebootd", n) in agg))
    print()
    n = "500" if "500" in counts else counts[-1]
    if ("pxebootd", n) in agg:
        p, d = agg["pxebootd", n], agg.get(("dnsmasq", n))
        targets.append(("storm %s: 0 failures" % n, p["fail"] == 0, "%d" % p["fail"]))
        if d:
            r = ratio(p["cpu"], d["cpu"])
            targets.append(("storm %s: CPU <= 0.8x dnsmasq" % n, r <= 0.8, "%sx" % fmt(r, 2)))
            r = ratio(p["peak"], d["peak"])
            r2 = ratio(p["rss"], d["rss"])
            targets.append(("storm %s: peak memory <= dnsmasq" % n, r <= 1.0 and r2 <= 1.0,
                            "cgroup %sx, VmHWM %sx" % (fmt(r, 2), fmt(r2, 2))))

# ---- callgrind ----
cg = rows("callgrind.tsv")
if cg:
    print("## User-space instructions per MiB served (callgrind, atftp blksize 1468, "
          "%s MiB file minus a 1-byte file)\n" % cg[0][3])
    ipm = {r[0]: (int(r[2]) - int(r[1])) / float(r[3]) for r in cg}
    hpa = ipm.get("tftpd-hpa")
    print("| server | Ir per MiB | vs tftpd-hpa | start-up + 1 B run, Ir |")
    print("|---|---|---|---|")
    for r in cg:
        print("| %s | %.0f | %s | %s |" % (r[0], ipm[r[0]], fmt(ratio(ipm[r[0]], hpa), 2), r[1]))
    print()
    if "pxebootd" in ipm:
        r = ratio(ipm["pxebootd"], hpa)
        targets.append(("instructions per MiB <= 0.5x tftpd-hpa",
                        None if r is None else r <= 0.5, "%sx" % fmt(r, 2)))

print("## Targets\n")
print("| target | met | measured |")
print("|---|---|---|")
for t in targets:
    print("| %s | %s | %s |" % (t[0], {True: "yes", False: "**no**", None: "n/a"}[t[1]], t[2]))
