"""Turns compare.py's measurements (benchmarks/results.json) into benchmarks/RESULTS.md:
medians over runs, ratios relay/stunnel, and each target of issue 5 marked met or missed."""
import json
import os
import statistics
import sys

PATHS = ["direct", "socat", "relay", "stunnel"]


def med(rows, kind, path, key):
    values = [r[key] for r in rows if r["kind"] == kind and r["path"] == path and key in r]
    return statistics.median(values) if values else float("nan")


def cpu_per_gb(rows, kinds, path, end):
    values = [r["cpu_" + end] / (r["bytes"] / 1e9) for r in rows
              if r["kind"] in kinds and r["path"] == path and r.get("bytes")]
    return statistics.median(values) if values else float("nan")


def cpu_per_call(rows, kind, path, end, warmup):
    """Microseconds of CPU one tunnel end spent per small call: its utime+stime over a latency run divided by the
    run's calls, the connection's unmeasured first calls included (compare.py measures around both)."""
    values = [r["cpu_" + end] / (r["calls"] + warmup) * 1e6 for r in rows
              if r["kind"] == kind and r["path"] == path and "cpu_" + end in r and r.get("calls")]
    return statistics.median(values) if values else float("nan")


def fmt(x, digits=2):
    return "n/a" if x != x else f"{x:.{digits}f}"


def verdict(ok):
    return "**met**" if ok else "**missed**"


COPY_KINDS = ("copy_to_server", "copy_from_server")


def copy_floor(rows):
    """CPU s per GB of one end of the copy-only reference pair (socat with 256 KiB buffers, no TLS; compare.py):
    it reads every byte from one loopback socket and writes it to another, what every tunnel end does besides
    sealing or opening. Median over both ends, both directions and the runs; nan without the reference (runs
    before TUNING.md entry 14, whose estimate from iperf3's own CPU on the direct path overstated it)."""
    values = [r["cpu_" + end] / (r["bytes"] / 1e9) for r in rows
              if r["kind"] in COPY_KINDS and r.get("bytes") for end in ("client", "server")]
    return statistics.median(values) if values else float("nan")


def ends_below_floor(rows, aes_s_per_gb):
    """The tunnel ends (e.g. 'relay client') that spent less per bulk GB than copy_floor + AES-GCM at openssl
    speed. The sum is an estimate (BoringSSL's AES-GCM may beat OpenSSL's); an end measured below it disproves
    it for this run, and then the report claims no bound from it."""
    copying = copy_floor(rows)
    if copying != copying:
        return []
    kinds = ("bulk_to_server", "bulk_from_server")
    return [f"{path} {end}" for path in ("relay", "stunnel") for end in ("client", "server")
            if cpu_per_gb(rows, kinds, path, end) < copying + aes_s_per_gb]


def nfs_section(w, rows, aes_s_per_gb):
    """The nfs-cp table, what each copy cost in CPU, the 1 MiB transit of each tunnel, and the NFS targets
    with the bound that the run's own figures put on them."""
    w("## Real NFS: nfs-cp through each path (NFSv3, nfs-ganesha)\n")
    w("| path | write MB/s | read MB/s | write: CPU s of all processes, share of 2 cores | "
      "read: CPU s of all processes, share of 2 cores |")
    w("|---|---:|---:|---:|---:|")
    parts = ("nfscp", "ganesha", "client", "server")

    def busy(p, way):
        rs = [r for r in rows if r["kind"] == "nfs" and r["path"] == p and f"{way}_cpu_nfscp" in r]
        if not rs:
            return "n/a"
        cpu = statistics.median(sum(r[f"{way}_cpu_{k}"] for k in parts) for r in rs)
        share = statistics.median(sum(r[f"{way}_cpu_{k}"] for k in parts) / (2 * r[f"{way}_seconds"]) for r in rs)
        return f"{fmt(cpu)} s, {share:.0%}"
    for p in PATHS:
        w(f"| {p} | {fmt(med(rows, 'nfs', p, 'write_mbs'), 0)} | {fmt(med(rows, 'nfs', p, 'read_mbs'), 0)} | "
          f"{busy(p, 'write')} | {busy(p, 'read')} |")
    w("")
    shares = [sum(r[f"{way}_cpu_{k}"] for k in parts) / (2 * r[f"{way}_seconds"])
              for r in rows if r["kind"] == "nfs" and "write_cpu_nfscp" in r for way in ("write", "read")]
    busiest = max(shares, default=1.0)
    w("CPU: nfs-cp + ganesha + both tunnel ends during the copy; share: that over two cores for the copy's time. "
      + (f"No copy kept the two cores more than {busiest:.0%} busy: the copies are bound by latency, not by CPU. "
         if busiest < 0.9 else "")
      + "libnfs 4.0's nfs-cp copies 1 MiB at a time, synchronously (read it, then write it, then the next): "
      "each MiB crosses the tunnel while the NFS client and server wait, so a copy's time per MiB is the direct "
      "path's plus the tunnel's transit of that MiB. The transit, measured alone with our load tool (one "
      "1 MiB reply to a small call, as READ; one small reply to a 1 MiB call, as WRITE; 1 in flight), p50 in "
      "microseconds:\n")
    w("| path | 1 MiB reply (read) | added over direct | 1 MiB call (write) | added over direct |")
    w("|---|---:|---:|---:|---:|")
    for p in PATHS:
        cells = []
        for kind in ("transit_read", "transit_write"):
            v, base = med(rows, kind, p, "p50_us"), med(rows, kind, "direct", "p50_us")
            cells += [fmt(v, 0), fmt(v - base, 0) if p != "direct" else "-"]
        w(f"| {p} | " + " | ".join(cells) + " |")
    w("")
    targets = []
    mib_gb = (1 << 20) / 1e9
    # The least one tunnel end spends on a MiB: sealing or opening it at openssl speed, plus reading and writing
    # it through loopback sockets (the bulk section's copy floor, when the run has it). A MiB leaves the
    # second end no sooner than one end takes for all of it, however well the two ends overlap.
    copying = copy_floor(rows) if not ends_below_floor(rows, aes_s_per_gb) else float("nan")
    end_ms = (aes_s_per_gb + (copying if copying == copying else 0)) * mib_gb * 1000
    end_floor = "AES-GCM and socket copies" if copying == copying else "AES-GCM alone"
    for way in ("write", "read"):
        r, s, d = (med(rows, "nfs", p, f"{way}_mbs") for p in ("relay", "stunnel", "direct"))
        ok = r >= 1.5 * s
        # Time per MiB (ms) of each path; what 1.5x stunnel leaves a tunnel to add over the direct path.
        per_mib = {p: mib_gb * 1e3 / (v / 1e3) for p, v in (("relay", r), ("stunnel", s), ("direct", d))}
        budget = per_mib["stunnel"] / 1.5 - per_mib["direct"]
        note = (f"{fmt(r / s)}x; 1.5x allows a tunnel {fmt(budget)} ms per MiB over the direct path, "
                f"relay adds {fmt(per_mib['relay'] - per_mib['direct'])}")
        if not ok and budget <= 0:
            # Even a tunnel that cost nothing would copy at the direct path's speed (TUNING.md entry 18: on this
            # VM ganesha's page-cache copy, not the tunnel, sets that speed for writes).
            note += (f"; out of reach: the direct path itself is only {fmt(d / s)}x stunnel, so a tunnel that "
                     "cost nothing would miss it too")
        elif not ok and budget < end_ms:
            note += (f"; out of reach: one tunnel end's floor ({end_floor}) is {fmt(end_ms)} ms per MiB")
        targets.append((f"NFS {way}: relay >= 1.5x stunnel", note, ok))
    return targets


def connection_warmup(res):
    """The per-connection warm-up of the latency runs, when the run recorded one (runs before entry 13 had 2,000)."""
    n = res.get("connection_warmup_calls")
    return f", each after {n:,} unmeasured calls on that connection" if n else ""


def render(res, root):
    rows = res.get("rows", [])
    m = res["machine"]
    speed = res["openssl_speed"]
    floor = 1 / speed["aes-128-gcm"]  # CPU seconds per GB of pure AES-128-GCM on one core
    out = []
    w = out.append
    w("# eit-relay vs stunnel: side by side on one machine\n")
    w("Written by `benchmarks/compare.sh`; do not edit by hand (the tuning log at the end comes from "
      "`benchmarks/TUNING.md`). Every figure below comes from the one run described here.\n")
    w("## Run\n")
    w(f"- Command: `{res['command']}` ({res['started']} to {res.get('finished', '?')})")
    w(f"- Machine: {m['cores']} cores, {m['cpu']}, kernel {m['kernel']}; AES-related CPU flags: {m['aes_flags']}")
    w(f"- Versions: eit-relay `{m['relay']}`; {m['java']}; {m['stunnel']}; {m['openssl']}; {m['iperf3']}; "
      f"{m['socat']}; {m['ganesha']}")
    a = res["args"]
    w(f"- Load: {a['runs']} runs per measurement, paths in rotated order each run (A B C D, B C D A, ...), "
      f"medians; every tunnel first warmed with {res.get('warmup_transfers', 3)} x {a.get('warmup', 1 << 30) >> 20} MiB "
      f"(alternating directions) and {res.get('warmup_calls', 20000):,} calls"
      f"{' and one nfs-cp each way' if any(r['kind'] == 'transit_read' for r in rows) else ''}, discarded. Bulk: iperf3, {a['bytes'] >> 20} MiB per run and "
      f"direction. Latency: {a['calls']:,} ONC-RPC calls of 200 B with 100 B replies (our load tool), at 1 and 16 "
      f"in flight on one connection{connection_warmup(res)}. 64 connections: `iperf3 -P 64 -t {a['conc_seconds']}`. NFS: libnfs `nfs-cp` "
      f"of a {a['nfs_bytes'] >> 20} MiB file to and from nfs-ganesha (NFSv3, NFS and MOUNT through the tunnel).")
    w("- Paths: **direct** (no tunnel); **socat** (plaintext socat pair, the no-crypto reference); **relay** (eit-relay "
      "client mode -> TLS -> eit-relay server mode, two processes, CLI defaults: epoll, BoringSSL, record framing on "
      "for RPC/NFS, off for iperf3); **stunnel** (Debian stunnel4 client -> TLS -> stunnel4 server). Both TLS pairs "
      "use the same EC P-256 certificate, TLS 1.3, TLS_AES_128_GCM_SHA256, chain and host name verified."
      + (" In the bulk runs also a **copy-only reference**, not compared: a socat pair with 256 KiB buffers and no "
         "TLS, whose ends' CPU is the floor estimate of the bulk section." if any(r["kind"] in COPY_KINDS for r in rows)
         else ""))
    w(f"- Physical reference: `openssl speed -evp aes-128-gcm -bytes 16384` = {fmt(speed['aes-128-gcm'])} GB/s on one "
      f"core, i.e. {fmt(floor)} CPU s per GB (aes-256-gcm: {fmt(speed['aes-256-gcm'])} GB/s).")
    w("- CPU: utime+stime of each tunnel process from /proc/PID/stat around each run, per GB moved. One relay or "
      "stunnel *process* is one end of the tunnel: each seals or opens every byte once.\n")

    targets = []
    if any(r["kind"].startswith("bulk") for r in rows):
        w("## Bulk, one connection (iperf3)\n")
        w("| path | to server Gbit/s | from server Gbit/s | CPU s/GB client end | CPU s/GB server end |")
        w("|---|---:|---:|---:|---:|")
        for p in PATHS:
            w(f"| {p} | {fmt(med(rows, 'bulk_to_server', p, 'gbit'))} | {fmt(med(rows, 'bulk_from_server', p, 'gbit'))} | "
              + " | ".join(fmt(cpu_per_gb(rows, ('bulk_to_server', 'bulk_from_server'), p, e)) if p != "direct" else "-"
                           for e in ("client", "server")) + " |")
        copying = copy_floor(rows)
        if copying == copying:  # not nan: the run has the copy-only reference
            w(f"| copy-only reference (socat, 256 KiB buffers, no TLS) | {fmt(med(rows, 'copy_to_server', 'copy', 'gbit'))} | "
              f"{fmt(med(rows, 'copy_from_server', 'copy', 'gbit'))} | "
              + " | ".join(fmt(cpu_per_gb(rows, COPY_KINDS, 'copy', e)) for e in ("client", "server")) + " |")
        w("")
        for direction in ("to_server", "from_server"):
            r = med(rows, "bulk_" + direction, "relay", "gbit")
            s = med(rows, "bulk_" + direction, "stunnel", "gbit")
            c = med(rows, "bulk_" + direction, "socat", "gbit")
            targets.append((f"bulk {direction.replace('_', ' ')}: relay >= 1.5x stunnel", f"{fmt(r / s)}x", r >= 1.5 * s))
            targets.append((f"bulk {direction.replace('_', ' ')}: relay (TLS) faster than socat (plaintext)",
                            f"{fmt(r / c)}x socat", r > c))
        if copying == copying:
            w(f"Copy floor: an end of the copy-only reference pair (socat with 256 KiB buffers, the relay's read size, "
              f"and no TLS, under the same iperf3 load) spends {fmt(copying)} CPU s per GB: it reads every byte from "
              f"one loopback socket and writes it to another, as every tunnel end does. A TLS end also seals or "
              f"opens every byte: its floor is about {fmt(copying)} + {fmt(floor)} (AES-GCM) = "
              f"{fmt(copying + floor)} CPU s per GB. Relay ends measured "
              f"{fmt(cpu_per_gb(rows, ('bulk_to_server', 'bulk_from_server'), 'relay', 'client'))} and "
              f"{fmt(cpu_per_gb(rows, ('bulk_to_server', 'bulk_from_server'), 'relay', 'server'))}; stunnel ends "
              f"{fmt(cpu_per_gb(rows, ('bulk_to_server', 'bulk_from_server'), 'stunnel', 'client'))} and "
              f"{fmt(cpu_per_gb(rows, ('bulk_to_server', 'bulk_from_server'), 'stunnel', 'server'))}.\n")
        below = ends_below_floor(rows, floor)
        if below:
            w(f"In this run the {' and '.join(below)} end{'s' if len(below) > 1 else ''} spent less than that "
              f"estimate, which therefore bounds nothing here: the targets below claim no floor from it.\n")
        # nan without the copy-only reference, or when an end beat the estimate: then no bound is claimed
        end_floor = copying + floor if not below else float("nan")

        def bounded(text, ok, limit):
            # A limit below what any tunnel end must spend (socket copies + AES-GCM, this run) cannot be met.
            # Three decimals where two would print the limit and the floor alike ("0.72 is below 0.72").
            digits = 3 if fmt(limit) == fmt(end_floor) else 2
            return text + (f"; out of reach: {fmt(limit, digits)} s/GB is below a tunnel end's floor of "
                           f"{fmt(end_floor, digits)}" if not ok and limit < end_floor else "")
        for end in ("client", "server"):
            r = cpu_per_gb(rows, ("bulk_to_server", "bulk_from_server"), "relay", end)
            s = cpu_per_gb(rows, ("bulk_to_server", "bulk_from_server"), "stunnel", end)
            targets.append((f"CPU/GB of the relay {end} end <= 0.5x stunnel's",
                            bounded(f"{fmt(r / s)}x", r <= 0.5 * s, 0.5 * s), r <= 0.5 * s))
            targets.append((f"CPU/GB of the relay {end} end <= 2.0x the AES-GCM floor ({fmt(floor)} s/GB)",
                            bounded(f"{fmt(r / floor)}x", r <= 2.0 * floor, 2.0 * floor), r <= 2.0 * floor))

    if any(r["kind"].startswith("latency") for r in rows):
        w("## Small RPC latency (200 B call, 100 B reply), microseconds\n")
        w("| path | p50 @1 | p99 @1 | p50 @16 | p99 @16 | added p50 @1 | added p99 @1 | added p50 @16 | added p99 @16 |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        cols = [(f, k) for f in (1, 16) for k in ("p50_us", "p99_us")]
        base = {c: med(rows, f"latency_{c[0]}", "direct", c[1]) for c in cols}
        for p in PATHS:
            vals = [med(rows, f"latency_{f}", p, k) for f, k in cols]
            added = [v - base[c] for v, c in zip(vals, cols)] if p != "direct" else None
            w(f"| {p} | " + " | ".join(fmt(v, 1) for v in vals) + " | "
              + (" | ".join(fmt(v, 1) for v in added) if added else "- | - | - | -") + " |")
        w("")
        warmup = res.get("connection_warmup_calls", 0)
        per_call = {(p, f, e): cpu_per_call(rows, f"latency_{f}", p, e, warmup)
                    for p in ("socat", "relay", "stunnel") for f in (1, 16) for e in ("client", "server")}
        has_cpu = any(v == v for v in per_call.values())  # runs before this column was measured have none
        if has_cpu:
            w("CPU per call of each tunnel end, microseconds (utime+stime over each latency run divided by its calls, "
              "the connection's unmeasured first calls included; medians over the runs):\n")
            w("| path | client end @1 | server end @1 | client end @16 | server end @16 |")
            w("|---|---:|---:|---:|---:|")
            for p in ("socat", "relay", "stunnel"):
                w(f"| {p} | " + " | ".join(fmt(per_call[(p, f, e)], 1) for f in (1, 16) for e in ("client", "server"))
                  + " |")
            w("")
        for f, k in cols:
            r = med(rows, f"latency_{f}", "relay", k) - base[(f, k)]
            s = med(rows, f"latency_{f}", "stunnel", k) - base[(f, k)]
            text = f"{fmt(r, 1)} vs {fmt(s, 1)} us"
            if r > s and has_cpu:
                # A latency miss says nothing of the relay's own cost unless its CPU per call is beside it.
                text += (f"; CPU per call, relay ends {fmt(per_call[('relay', f, 'client')], 1)} + "
                         f"{fmt(per_call[('relay', f, 'server')], 1)} us, stunnel's "
                         f"{fmt(per_call[('stunnel', f, 'client')], 1)} + {fmt(per_call[('stunnel', f, 'server')], 1)}")
            targets.append((f"added {k[:3]} latency at {f} in flight: relay <= stunnel", text, r <= s))

    if any(r["kind"] == "conc64" for r in rows):
        w("## 64 concurrent connections (iperf3 -P 64)\n")
        w("| path | aggregate Gbit/s | peak RSS of both ends, MB | CPU s/GB client end | CPU s/GB server end |")
        w("|---|---:|---:|---:|---:|")
        for p in PATHS:
            w(f"| {p} | {fmt(med(rows, 'conc64', p, 'gbit'))} | "
              + (fmt(med(rows, 'conc64', p, 'rss_mb'), 1) if p != "direct" else "-") + " | "
              + " | ".join(fmt(cpu_per_gb(rows, ('conc64',), p, e)) if p != "direct" else "-" for e in ("client", "server"))
              + " |")
        w("")
        r, s = med(rows, "conc64", "relay", "gbit"), med(rows, "conc64", "stunnel", "gbit")
        targets.append(("64 connections: aggregate relay >= 1.5x stunnel", f"{fmt(r / s)}x", r >= 1.5 * s))
        r, s = med(rows, "conc64", "relay", "rss_mb"), med(rows, "conc64", "stunnel", "rss_mb")
        text = f"{fmt(r, 1)} vs {fmt(s, 1)} MB"
        jvm = res.get("jvm_floor_mb")  # absent from older runs: then no bound is claimed
        if r > s and jvm is not None and 2 * jvm > s:
            text += (f"; out of reach for two JVM processes: a java that only binds a socket idles at {fmt(jvm, 1)} MB, "
                     f"two of them at {fmt(2 * jvm, 1)} MB")
        targets.append(("64 connections: total RSS relay <= stunnel", text, r <= s))

    if any(r["kind"] == "nfs" for r in rows):
        targets += nfs_section(w, rows, floor)

    if "scale" in res:
        sc = res["scale"]
        w(f"## Scale: one client-end process with {sc['relay']['endpoints']} endpoints\n")
        w("| process | RSS with idle listeners, MB | RSS with one idle connection per endpoint, MB | threads |")
        w("|---|---:|---:|---:|")
        for p in ("relay", "stunnel"):
            w(f"| {p} | {fmt(sc[p]['rss_idle_endpoints_mb'], 1)} | {fmt(sc[p]['rss_with_connections_mb'], 1)} | {sc[p]['threads']} |")
        w("")
        r = sc["relay"]["rss_with_connections_mb"]
        targets.append((f"{sc['relay']['endpoints']} endpoints + connections in one relay process: RSS <= 256 MB",
                        f"{fmt(r, 1)} MB", r <= 256))

    w("## Targets (issue 5)\n")
    w("| target | measured | |")
    w("|---|---:|---|")
    for name, value, ok in targets:
        w(f"| {name} | {value} | {verdict(ok)} |")
    w("")
    w("<details><summary>Every run (raw rows, also in benchmarks/results.json)</summary>\n")
    w("```")
    for r in rows:
        w(json.dumps(r))
    w("```\n</details>\n")
    tuning = os.path.join(root, "benchmarks", "TUNING.md")
    if os.path.exists(tuning):
        with open(tuning) as f:
            w(f.read())
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    # Re-render from a saved run: python3 benchmarks/report.py benchmarks/results.json > benchmarks/RESULTS.md
    sys.stdout.write(render(json.load(open(sys.argv[1])), os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
