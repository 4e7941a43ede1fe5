#!/usr/bin/env python3
"""Side by side, in one run on this machine: a direct path, a plaintext socat pair, an eit-relay pair and a
stunnel4 pair, under the same loads, runs alternating between paths, medians. Writes benchmarks/RESULTS.md.
Run through benchmarks/compare.sh (which builds and installs what this needs)."""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_JAR = os.path.join(ROOT, "benchmarks", "target", "benchmarks.jar")
RELAY = os.path.join(ROOT, "bin", "eit-relay")
CLK_TCK = os.sysconf("SC_CLK_TCK")
GB = 1e9
PATHS = ["direct", "socat", "relay", "stunnel"]
TUNNELS = ["socat", "relay", "stunnel"]
COPY = "copy"  # the copy-only reference pair of the bulk runs (start_paths)
TARGETS = ["iperf", "load", "nfs", "mount"]
TRANSIT_BYTES = (1 << 20) + 4  # one nfs-cp step: 1 MiB of data plus the record mark


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def size(text):
    m = re.fullmatch(r"(\d+)([KMG]?)", text)
    if not m:
        raise argparse.ArgumentTypeError(f"size like 512M or 1G expected, got {text!r}")
    return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2)]


class Processes:
    """Every process this run starts, stopped at exit whatever happens."""

    def __init__(self, work):
        self.work = work
        self.procs = []

    def start(self, name, argv, **kw):
        path = os.path.join(self.work, name + ".log")
        out = open(path, "w")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kw)
        p.log_path = path
        self.procs.append((name, p))
        return p

    def stop(self, p):
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)

    def stop_all(self):
        for _, p in reversed(self.procs):
            try:
                self.stop(p)
            except ProcessLookupError:
                pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc=None, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = open(proc.log_path).read()[-2000:] if hasattr(proc, "log_path") else ""
            raise SystemExit(f"{proc.args[0]} (for port {port}) exited with {proc.returncode}:\n{tail}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def cpu_seconds(pid, children=False):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    # utime, stime are fields 14, 15; cutime, cstime 16, 17 (proc(5)); index from field 3.
    ticks = int(fields[11]) + int(fields[12])
    if children:  # socat forks per connection: a reaped child's time lands in cutime/cstime
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLK_TCK


def status_kb(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def tree_pids(pid):
    """pid and its descendants (socat's per-connection children)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    pids = [pid]
    for child in out:
        pids += tree_pids(int(child))
    return pids


def run(argv, timeout=900, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    if r.returncode != 0:
        raise SystemExit(f"failed ({r.returncode}): {' '.join(argv)}\n{r.stdout}\n{r.stderr}")
    return r.stdout


class Tunnel:
    """One path: its listening port per target, and the (client end, server end) processes per target."""

    def __init__(self, name, forks=False):
        self.name = name
        self.ports = {}
        self.ends = {}  # target -> (client Popen, server Popen)
        self.forks = forks  # socat serves each connection in a child process

    def pids(self, target):
        return [p.pid for p in self.ends.get(target, ())]

    def cpu(self, target):
        return [cpu_seconds(pid, self.forks) for pid in self.pids(target)]

    def rss_kb(self, target):
        return sum(status_kb(p, "VmRSS") for pid in self.pids(target) for p in tree_pids(pid))


def make_certificate(work):
    key, cert = os.path.join(work, "key.pem"), os.path.join(work, "cert.pem")
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
         "-subj", "/CN=relay.test", "-addext", "subjectAltName=DNS:relay.test,IP:127.0.0.1", "-keyout", key, "-out", cert])
    return cert, key


def start_ganesha(procs, work):
    export = os.path.join(work, "export")
    os.makedirs(export)
    os.makedirs(os.path.join(work, "recov"))
    if not rpcbind_answers():
        if os.path.exists("/run/rpcbind.sock"):
            os.remove("/run/rpcbind.sock")  # left by an rpcbind that exited
        procs.start("rpcbind", [shutil.which("rpcbind") or "/usr/sbin/rpcbind", "-f", "-w"])
        deadline = time.time() + 10
        while not rpcbind_answers():
            if time.time() > deadline:
                raise SystemExit("rpcbind did not start")
            time.sleep(0.1)
    nfs, mount = free_port(), free_port()
    conf = os.path.join(work, "ganesha.conf")
    with open(conf, "w") as f:
        f.write(f"""NFS_CORE_PARAM {{ Bind_Addr = 127.0.0.1; NFS_Port = {nfs}; MNT_Port = {mount}; Protocols = 3, 4;
  Enable_NLM = false; Enable_RQUOTA = false; Enable_UDP = false; mount_path_pseudo = true; }}
NFS_KRB5 {{ Active_krb5 = false; }}
NFSv4 {{ Graceless = true; RecoveryBackend = fs; RecoveryRoot = {work}/recov; Minor_Versions = 0, 1, 2; Only_Numeric_Owners = true; }}
EXPORT {{ Export_Id = 1; Path = {export}; Pseudo = /export; Access_Type = RW; Squash = No_Root_Squash;
  Transports = TCP; SecType = sys; FSAL {{ Name = VFS; }} }}
""")
    p = procs.start("ganesha", [shutil.which("ganesha.nfsd") or "/usr/bin/ganesha.nfsd", "-F", "-f", conf,
                                "-L", os.path.join(work, "ganesha.log"), "-p", os.path.join(work, "ganesha.pid")])
    wait_port(nfs, p)
    wait_port(mount, p)
    NFS_SERVER["pid"] = p.pid
    return nfs, mount, export


def rpcbind_answers():
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect("/run/rpcbind.sock")
            return True
    except OSError:
        return False


def start_paths(procs, work, targets, cert, key, java_opts):
    paths = {"direct": Tunnel("direct")}
    paths["direct"].ports = dict(targets)

    def socat_pair(name, names, options):
        pair = Tunnel(name, forks=True)
        for t in names:
            s, c = free_port(), free_port()
            server = procs.start(f"{name}-s-{t}", ["socat", *options, f"TCP-LISTEN:{s},bind=127.0.0.1,fork,reuseaddr,nodelay",
                                                    f"TCP:127.0.0.1:{targets[t]},nodelay"])
            client = procs.start(f"{name}-c-{t}", ["socat", *options, f"TCP-LISTEN:{c},bind=127.0.0.1,fork,reuseaddr,nodelay",
                                                    f"TCP:127.0.0.1:{s},nodelay"])
            wait_port(s, server)
            wait_port(c, client)
            pair.ports[t], pair.ends[t] = c, (client, server)
        return pair
    paths["socat"] = socat_pair("socat", list(targets), [])
    # The floor reference for a tunnel end's CPU (bulk only, not a compared path): a socat pair with 256 KiB
    # buffers, the relay's read size, does what every tunnel end does besides TLS -- read each byte from one
    # loopback socket, write it to another -- with the fewest system calls and nothing else (TUNING.md entry 14).
    paths[COPY] = socat_pair(COPY, ["iperf"], ["-b", str(256 * 1024)])

    # Two relay pairs: iperf3 is not ONC-RPC (--no-rpc-framing); the RPC load and NFS use the default (framing on).
    relay = Tunnel("relay")
    env = dict(os.environ, EIT_RELAY_JAVA_OPTS=java_opts) if java_opts else None
    for group, names, framing in (("bulk", ["iperf"], ["--no-rpc-framing"]), ("rpc", ["load", "nfs", "mount"], [])):
        sp = {t: free_port() for t in names}
        cp = {t: free_port() for t in names}
        s_args = [RELAY, "--server", "--cert", cert, "--key", key] + framing
        c_args = [RELAY, "--cafile", cert, "--check-host", "relay.test"] + framing
        for t in names:
            s_args += ["--listen", f"127.0.0.1:{sp[t]}", "--target", f"127.0.0.1:{targets[t]}"]
            c_args += ["--listen", f"127.0.0.1:{cp[t]}", "--target", f"127.0.0.1:{sp[t]}"]
        server = procs.start(f"relay-s-{group}", s_args, env=env)
        client = procs.start(f"relay-c-{group}", c_args, env=env)
        for t in names:
            wait_port(sp[t], server)
            wait_port(cp[t], client)
            relay.ports[t], relay.ends[t] = cp[t], (client, server)
    paths["relay"] = relay

    # stunnel4: one process per end, a section per target, the same certificate, TLS 1.3 and suite as the relays.
    stunnel = Tunnel("stunnel")
    common = "foreground = yes\npid =\ndebug = 3\nsslVersion = TLSv1.3\nciphersuites = TLS_AES_128_GCM_SHA256\n"
    sp = {t: free_port() for t in targets}
    cp = {t: free_port() for t in targets}
    s_conf, c_conf = os.path.join(work, "stunnel-s.conf"), os.path.join(work, "stunnel-c.conf")
    with open(s_conf, "w") as f:
        f.write(common + f"cert = {cert}\nkey = {key}\n")
        for t in targets:
            f.write(f"[{t}]\naccept = 127.0.0.1:{sp[t]}\nconnect = 127.0.0.1:{targets[t]}\n")
    with open(c_conf, "w") as f:
        f.write(common + f"client = yes\nCAfile = {cert}\nverifyChain = yes\ncheckHost = relay.test\n")
        for t in targets:
            f.write(f"[{t}]\naccept = 127.0.0.1:{cp[t]}\nconnect = 127.0.0.1:{sp[t]}\n")
    server = procs.start("stunnel-s", ["stunnel4", s_conf])
    client = procs.start("stunnel-c", ["stunnel4", c_conf])
    for t in targets:
        wait_port(sp[t], server)
        wait_port(cp[t], client)
        stunnel.ports[t], stunnel.ends[t] = cp[t], (client, server)
    paths["stunnel"] = stunnel
    return paths


def measured(tunnel, target, fn):
    """Runs fn(); returns its result plus the CPU seconds each tunnel end used meanwhile."""
    before = tunnel.cpu(target)
    result = fn()
    time.sleep(0.5)  # let socat reap its per-connection children, whose CPU time then counts
    after = tunnel.cpu(target)
    return result, [a - b for a, b in zip(after, before)]


IPERF_SERVER = {}


def iperf(port, nbytes=None, seconds=None, reverse=False, streams=1):
    """One iperf3 test; also the CPU seconds the iperf3 client and server themselves used (the load's own
    socket cost: on the direct path, what moving the bytes through loopback TCP costs without a tunnel)."""
    argv = ["iperf3", "-c", "127.0.0.1", "-p", str(port), "-J", "-P", str(streams)]
    argv += ["-n", str(nbytes)] if nbytes else ["-t", str(seconds)]
    if reverse:
        argv.append("-R")
    server_before = cpu_seconds(IPERF_SERVER["pid"])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = run(argv, timeout=600)  # the only child reaped meanwhile: its CPU is the delta
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    time.sleep(0.2)
    d = json.loads(out)
    r = d["end"]["sum_received"]
    return {"gbit": r["bits_per_second"] / 1e9, "bytes": r["bytes"], "load_cpu_client": client_cpu,
            "load_cpu_server": cpu_seconds(IPERF_SERVER["pid"]) - server_before}


# Small-call warm-up per tunnel: rounds (the last at one call in flight, the rest at 16) and calls per round.
WARMUP_PINGS = 6
WARMUP_PING_CALLS = 20000
# Each latency run opens a new connection; its first calls, unmeasured. For the first ~0.4 s of a connection the
# relay's JIT still recompiles the event loop's paths (9-31 compilations per new connection, TUNING.md entry 13),
# which is connection start-up, not the call latency of a mount that lives for hours.
CONNECTION_WARMUP_CALLS = 20000


def ping(port, calls, in_flight, extra=()):
    out = run(["java", "-cp", BENCH_JAR, "io.eitrelay.bench.load.LoadTool", "ping", "--port", str(port),
               "--calls", str(calls), "--in-flight", str(in_flight), *extra])
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", out)}


NFS_SERVER = {}


def nfs_copy(tunnel, export, local, name):
    """nfs-cp of `local` to the export and back through `tunnel`: MB/s each way, and the CPU seconds every
    process on the path used meanwhile (nfs-cp, ganesha, each tunnel end): on two cores, whether a copy is
    bound by CPU, and by whose, decides what a faster tunnel can gain."""
    url = (f"nfs://127.0.0.1/export/{name}?version=3&nfsport={tunnel.ports['nfs']}"
           f"&mountport={tunnel.ports['mount']}")
    back = os.path.join("/dev/shm", "eit-compare-back.bin")
    result = {}
    for way, argv in (("write", ["nfs-cp", local, url]), ("read", ["nfs-cp", url, back])):
        ganesha_before, ends_before = cpu_seconds(NFS_SERVER["pid"]), tunnel.cpu("nfs")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        run(argv)
        seconds = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        time.sleep(0.5)  # as in measured(): socat's reaped children
        ends = [a - b for a, b in zip(tunnel.cpu("nfs"), ends_before)] + [0, 0]
        result[f"{way}_mbs"] = os.path.getsize(local) / seconds / 1e6
        result[f"{way}_seconds"] = seconds
        result[f"{way}_cpu_nfscp"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        result[f"{way}_cpu_ganesha"] = cpu_seconds(NFS_SERVER["pid"]) - ganesha_before
        result[f"{way}_cpu_client"], result[f"{way}_cpu_server"] = ends[:2]
    size_ = os.path.getsize(local)
    if os.path.getsize(back) != size_:
        raise SystemExit(f"nfs read back {os.path.getsize(back)} bytes of {size_} through {tunnel.name}")
    os.remove(back)
    os.remove(os.path.join(export, name))
    result["bytes"] = size_
    return result


def nfs_source(nbytes):
    """The file nfs-cp copies: random bytes in /dev/shm (no disk on the client side), made once per run."""
    local = os.path.join("/dev/shm", "eit-compare-src.bin")
    if not os.path.exists(local) or os.path.getsize(local) != nbytes:
        with open(local, "wb") as f:
            for _ in range(nbytes >> 20):
                f.write(os.urandom(1 << 20))
    return local


def rotate(items, i):
    i %= len(items)
    return items[i:] + items[:i]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bytes", type=size, default=size("1G"), help="per bulk run (iperf3 -n)")
    ap.add_argument("--warmup", type=size, default=size("1G"), help="per warm-up transfer (four per tunnel, alternating directions)")
    ap.add_argument("--nfs-bytes", type=size, default=size("1G"))
    ap.add_argument("--calls", type=int, default=100000,
                    help="per latency run: p99 is then the 1,000 slowest, not a dozen scheduler stalls")
    ap.add_argument("--transit-calls", type=int, default=1000, help="per 1 MiB call or reply run (with nfs)")
    ap.add_argument("--conc-seconds", type=int, default=5, help="per 64-connection run")
    ap.add_argument("--scale", type=int, default=1000, help="endpoints and idle connections in one relay process")
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "RESULTS.md"))
    ap.add_argument("--java-opts", default="", help="extra JVM options for the relay processes (EIT_RELAY_JAVA_OPTS)")
    ap.add_argument("--only", default="bulk,latency,conc,nfs,scale")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    for tool in ("iperf3", "socat", "stunnel4", "openssl", "nfs-cp", "java"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: run benchmarks/compare.sh, which installs it")
    work = tempfile.mkdtemp(prefix="eit-compare-")
    procs = Processes(work)
    results = {"started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "command": " ".join(["benchmarks/compare.sh"] + sys.argv[1:]), "args": vars(args)}
    try:
        measure_all(args, parts, work, procs, results)
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    results["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    raw = os.path.join(ROOT, "benchmarks", "results.json")
    with open(raw, "w") as f:
        json.dump(results, f, indent=1)
    import report
    with open(args.out, "w") as f:
        f.write(report.render(results, ROOT))
    log(f"wrote {args.out} and {raw}")


def measure_all(args, parts, work, procs, results):
    results["machine"] = machine()
    results["openssl_speed"] = openssl_speed()
    log("openssl speed:", results["openssl_speed"])
    cert, key = make_certificate(work)
    targets = {"iperf": free_port(), "load": free_port()}
    iperf_server = procs.start("iperf3-s", ["iperf3", "-s", "-p", str(targets["iperf"])])
    IPERF_SERVER["pid"] = iperf_server.pid
    wait_port(targets["iperf"], iperf_server)
    wait_port(targets["load"], procs.start("load-server", ["java", "-cp", BENCH_JAR, "io.eitrelay.bench.load.LoadTool",
                                                          "server", "--port", str(targets["load"])]))
    targets["nfs"], targets["mount"], export = start_ganesha(procs, work)
    paths = start_paths(procs, work, targets, cert, key, args.java_opts)
    rows = results.setdefault("rows", [])

    def record(kind, path, run_no, data, cpu=None):
        row = {"kind": kind, "path": path, "run": run_no, **data}
        if cpu is not None:
            row["cpu_client"], row["cpu_server"] = (cpu + [0, 0])[:2]
        rows.append(row)
        log(json.dumps(row))

    # Warm-up, discarded: a relay lives as long as its mount, so it is measured with its JIT warm. On 2 shared
    # cores C2 needs ~3 GiB of traffic to finish compiling the data path (TUNING.md entry 1), and each end
    # seals in one direction and opens in the other: two transfers each way, or the first measured transfer
    # from the server still runs half-compiled code (entry 10). stunnel gets the same.
    warmup_directions = (False, True, False, True)
    results["warmup_transfers"] = len(warmup_directions)
    results["warmup_calls"] = WARMUP_PINGS * WARMUP_PING_CALLS
    results["connection_warmup_calls"] = CONNECTION_WARMUP_CALLS
    for name in TUNNELS:
        for reverse in warmup_directions:
            iperf(paths[name].ports["iperf"], nbytes=args.warmup, reverse=reverse)
        # The small-call path (record framing, per-procedure metrics) is code the bulk transfers above never
        # run: C2 is still compiling it after 40,000 calls, and its compiler threads then compete with the
        # measured calls on the two cores. Six rounds leave the JIT quiet (TUNING.md entry 12).
        for i in range(WARMUP_PINGS):
            ping(paths[name].ports["load"], WARMUP_PING_CALLS, 1 if i == WARMUP_PINGS - 1 else 16)
    if "nfs" in parts:
        # The NFS traffic runs through the RPC relay pair, which the iperf3 warm-up above does not reach:
        # without this, C2 compiles its bulk paths during the first measured copies (TUNING.md entry 7).
        local = nfs_source(args.nfs_bytes)
        for name in TUNNELS:
            nfs_copy(paths[name], export, local, f"{name}-warmup.bin")
    for run_no in range(1, args.runs + 1):
        if "bulk" in parts:
            for name in rotate(PATHS, run_no):
                for direction, reverse in (("to_server", False), ("from_server", True)):
                    t = paths[name]
                    r, cpu = measured(t, "iperf", lambda: iperf(t.ports["iperf"], nbytes=args.bytes, reverse=reverse))
                    record("bulk_" + direction, name, run_no, r, cpu)
            for direction, reverse in (("to_server", False), ("from_server", True)):
                t = paths[COPY]
                r, cpu = measured(t, "iperf", lambda: iperf(t.ports["iperf"], nbytes=args.bytes, reverse=reverse))
                record("copy_" + direction, COPY, run_no, r, cpu)
        if "latency" in parts:
            for in_flight in (1, 16):
                for name in rotate(PATHS, run_no):
                    t = paths[name]
                    # The ends' CPU counts the connection's unmeasured calls too: report.py divides by both.
                    r, cpu = measured(t, "load", lambda: ping(t.ports["load"], args.calls, in_flight,
                                                              ["--warmup", str(CONNECTION_WARMUP_CALLS)]))
                    record(f"latency_{in_flight}", name, run_no, r, cpu)
        if "conc" in parts:
            for name in rotate(PATHS, run_no):
                t = paths[name]
                peak = [0]
                done = threading.Event()

                def sample():
                    while not done.wait(0.2):
                        try:
                            peak[0] = max(peak[0], t.rss_kb("iperf"))
                        except (FileNotFoundError, ProcessLookupError):
                            pass
                sampler = threading.Thread(target=sample)
                sampler.start()
                try:
                    r, cpu = measured(t, "iperf", lambda: iperf(t.ports["iperf"], seconds=args.conc_seconds, streams=64))
                finally:
                    done.set()
                    sampler.join()
                r["rss_mb"] = peak[0] / 1024
                record("conc64", name, run_no, r, cpu)
        if "nfs" in parts:
            local = nfs_source(args.nfs_bytes)
            try:
                for name in rotate(PATHS, run_no):
                    record("nfs", name, run_no, nfs_copy(paths[name], export, local, f"{name}-{run_no}.bin"))
                # What one nfs-cp step asks of a tunnel, without the NFS server and client: a 1 MiB reply to a
                # small call (READ) and a small reply to a 1 MiB call (WRITE), one at a time.
                for name in rotate(PATHS, run_no):
                    for kind, size_flag in (("transit_read", "--reply-bytes"), ("transit_write", "--call-bytes")):
                        record(kind, name, run_no, ping(paths[name].ports["load"], args.transit_calls, 1,
                                                        [size_flag, str(TRANSIT_BYTES), "--warmup", "100"]))
            finally:
                if run_no == args.runs:
                    os.remove(local)
    results["rss_end_mb"] = {name: sum(status_kb(p.pid, "VmHWM") for p in set(e for ends in paths[name].ends.values()
                                                                             for e in ends)) / 1024
                             for name in TUNNELS}
    for p in [e for name in TUNNELS for ends in paths[name].ends.values() for e in ends]:
        procs.stop(p)
    if "conc" in parts:
        results["jvm_floor_mb"] = jvm_floor_mb(work)
        log("JVM floor RSS, MB:", results["jvm_floor_mb"])
    if "scale" in parts:
        results["scale"] = {name: scale(procs, work, targets["load"], cert, key, args.scale, name, args.java_opts)
                            for name in ("relay", "stunnel")}


def scale(procs, work, load_port, cert, key, n, kind, java_opts):
    """One client-end process with n endpoints, then n idle connections through it (one per endpoint)."""
    server_port = free_port()
    ports = []
    while len(ports) < n:
        p = free_port()
        if p not in ports and p != server_port:
            ports.append(p)
    env = dict(os.environ, EIT_RELAY_JAVA_OPTS=java_opts) if java_opts else None
    if kind == "relay":
        server = procs.start("scale-relay-s", [RELAY, "--server", "--cert", cert, "--key", key, "--listen",
                                               f"127.0.0.1:{server_port}", "--target", f"127.0.0.1:{load_port}"], env=env)
        argv = [RELAY, "--cafile", cert, "--check-host", "relay.test"]
        for p in ports:
            argv += ["--listen", f"127.0.0.1:{p}", "--target", f"127.0.0.1:{server_port}"]
        client = procs.start("scale-relay-c", argv, env=env)
    else:
        s_conf, c_conf = os.path.join(work, "scale-s.conf"), os.path.join(work, "scale-c.conf")
        with open(s_conf, "w") as f:
            f.write(f"foreground = yes\npid =\ndebug = 3\ncert = {cert}\nkey = {key}\n[s]\naccept = 127.0.0.1:{server_port}\n"
                    f"connect = 127.0.0.1:{load_port}\n")
        with open(c_conf, "w") as f:
            f.write(f"foreground = yes\npid =\ndebug = 3\nclient = yes\nCAfile = {cert}\nverifyChain = yes\n"
                    "checkHost = relay.test\n")
            for i, p in enumerate(ports):
                f.write(f"[e{i}]\naccept = 127.0.0.1:{p}\nconnect = 127.0.0.1:{server_port}\n")
        server = procs.start("scale-stunnel-s", ["stunnel4", s_conf])
        client = procs.start("scale-stunnel-c", ["stunnel4", c_conf])
    wait_port(server_port, server, timeout=120)
    for p in ports:
        wait_port(p, client, timeout=120)
    time.sleep(2)
    idle_endpoints = status_kb(client.pid, "VmRSS") / 1024
    ports_file = os.path.join(work, "scale-ports")
    with open(ports_file, "w") as f:
        f.write("\n".join(map(str, ports)) + "\n")
    holder = subprocess.Popen(["java", "-Xss256k", "-cp", BENCH_JAR, "io.eitrelay.bench.load.LoadTool", "idle",
                               "--ports-file", ports_file], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = holder.stdout.readline()
        if not line.startswith("holding"):
            raise SystemExit(f"idle connections through {kind} failed: {line!r}")
        time.sleep(2)
        with_connections = status_kb(client.pid, "VmRSS") / 1024
        threads = status_kb(client.pid, "Threads")
    finally:
        holder.stdin.close()
        holder.wait(60)
    procs.stop(client)
    procs.stop(server)
    row = {"endpoints": n, "rss_idle_endpoints_mb": idle_endpoints, "rss_with_connections_mb": with_connections,
           "threads": threads}
    log(kind, "scale", json.dumps(row))
    return row


def jvm_floor_mb(work, runs=3):
    """Idle RSS of the least a JVM relay process can be here: java with the launcher's GC and heap flags
    that only binds a socket (startup.py's floor), median of a few starts. Two of them against stunnel's
    total RSS tells whether the 64-connection RSS target is reachable for any pair of JVM processes."""
    import startup
    argv = startup.floor_command(work)
    rss = []
    for i in range(runs):
        port, pid_file = free_port(), os.path.join(work, f"floor-{i}.pid")
        rss.append(startup.one_start(argv + [str(port), pid_file], port, pid_file, 2.0)[2])
    return statistics.median(rss)


def machine():
    cpu = {}
    for line in open("/proc/cpuinfo"):
        if ":" in line:
            k, v = (x.strip() for x in line.split(":", 1))
            cpu.setdefault(k, v)
    flags = set(cpu.get("flags", "").split())

    def version(argv):
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            return (r.stdout + r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"
    return {"cores": os.cpu_count(), "cpu": cpu.get("model name", "?"), "kernel": platform.release(),
            "aes_flags": " ".join(f for f in ("aes", "pclmulqdq", "avx2", "vaes", "vpclmulqdq", "avx512f") if f in flags),
            "java": version(["java", "-version"]), "stunnel": version(["sh", "-c", "stunnel4 -version 2>&1 | grep -m1 '^stunnel'"]),
            "openssl": version(["openssl", "version"]), "iperf3": version(["iperf3", "--version"]),
            "socat": version(["sh", "-c", "socat -V | grep 'socat version'"]),
            "ganesha": version(["sh", "-c", "dpkg-query -W nfs-ganesha libnfs-utils | tr '\\n' ' '"]),
            "relay": version([RELAY, "--version"])}


def openssl_speed():
    """AES-GCM on one core with 16 KiB blocks: the physical floor for a TLS relay's CPU per byte."""
    out = {}
    for cipher in ("aes-128-gcm", "aes-256-gcm"):
        text = run(["openssl", "speed", "-evp", cipher, "-bytes", "16384", "-seconds", "3"])
        m = re.search(r"^" + re.escape(cipher.upper()) + r"?\S*\s+([\d.]+)k", text, re.M | re.I) or \
            re.search(r"^\S*gcm\S*\s+([\d.]+)k", text, re.M | re.I)
        if not m:
            raise SystemExit("cannot read openssl speed output:\n" + text)
        out[cipher] = float(m.group(1)) * 1000 / GB  # openssl prints 1000s of bytes per second
    return out


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
