#!/usr/bin/env python3
"""Start-up and footprint of one drop-in process, as a mount helper starts it (issue 4): exec of
`bin/stunnel FILE` to its port accepting connections, then its RSS once idle; Debian's stunnel4 on the same
file in the same run, and the JVM floor (a java process that only binds one socket), runs in rotated order,
medians. efs-utils probes the port 5 times 50 ms apart right after
launching, and users count memory per mount. Not a test: these are timings on a shared machine.

  python3 benchmarks/startup.py [--runs 9] [--idle 2] [--out benchmarks/STARTUP.md]
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DROP_IN = os.path.join(ROOT, "bin", "stunnel")
PORT_WAIT_S = 10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepting(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit(f"no VmRSS for {pid}")


def make_pki(work):
    """A throw-away CA and client certificate, generated now (no key material is committed)."""
    def run(*argv):
        subprocess.run(argv, check=True, capture_output=True, cwd=work)
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-days", "1", "-subj", "/CN=startup-ca", "-keyout", "ca.key", "-out", "ca.pem")
    run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-subj", "/CN=client", "-keyout", "client.key", "-out", "client.csr")
    run("openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "1", "-out", "client.pem")


def write_conf(work, name, port, upstream):
    """An efs-utils style file (../shared/stunnel-corpus/efs-utils-tls.conf) with local paths."""
    path = os.path.join(work, name + ".conf")
    with open(path, "w") as f:
        f.write(f"""fips = no
foreground = quiet
socket = l:SO_REUSEADDR=yes
socket = a:SO_BINDTODEVICE=lo
pid = {work}/{name}.pid
[efs]
client = yes
accept = 127.0.0.1:{port}
connect = 127.0.0.1:{upstream}
sslVersion = TLSv1.2
renegotiation = no
TIMEOUTbusy = 20
TIMEOUTclose = 0
TIMEOUTidle = 70
delay = yes
verify = 2
CAfile = {work}/ca.pem
cert = {work}/client.pem
key = {work}/client.key
checkHost = fs.example
libwrap = no""")
    return path


FLOOR_SOURCE = """import java.net.*;
import java.nio.file.*;
/** The JVM floor: a JVM that binds one listener, writes a pid file and idles; no TLS, no Netty, no relay. */
public class BindOnly {
    public static void main(String[] args) throws Exception {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), Integer.parseInt(args[0])));
        Files.writeString(Path.of(args[1]), ProcessHandle.current().pid() + "\\n");
        Thread.sleep(60_000);
    }
}
"""


def floor_command(work):
    """java running BindOnly with the launcher's GC and heap flags and the JDK's own class-data archive."""
    with open(os.path.join(work, "BindOnly.java"), "w") as f:
        f.write(FLOOR_SOURCE)
    subprocess.run(["javac", "-d", work, os.path.join(work, "BindOnly.java")], check=True, capture_output=True)
    return ["java", "-XX:+UseSerialGC", "-Xms8m", "-Xmx64m", "-Xshare:auto", "-cp", work, "BindOnly"]


def one_start(argv, port, pid_file, idle_s):
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = t0 + PORT_WAIT_S
        while not accepting(port):
            if p.poll() is not None:
                raise SystemExit(f"{argv} exited {p.returncode}: {p.stderr.read().decode()}")
            if time.monotonic() > deadline:
                raise SystemExit(f"{argv}: port {port} not accepting after {PORT_WAIT_S} s")
            time.sleep(0.001)
        accepting_ms = (time.monotonic() - t0) * 1000
        # The pid file comes after every listener binds and (eit-relay) the TLS material has loaded:
        # from then on connections are also served, not only queued.
        while not os.path.exists(pid_file):
            if time.monotonic() > deadline:
                raise SystemExit(f"{argv}: no pid file {pid_file} after {PORT_WAIT_S} s")
            time.sleep(0.001)
        ready_ms = (time.monotonic() - t0) * 1000
        time.sleep(idle_s)
        return accepting_ms, ready_ms, rss_kb(p.pid) / 1024
    finally:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--idle", type=float, default=2.0, help="seconds idle before RSS is read")
    ap.add_argument("--out", help="also write the table to this file")
    args = ap.parse_args()
    stunnel4 = shutil.which("stunnel4") or shutil.which("stunnel", path="/usr/bin")
    if not stunnel4:
        raise SystemExit("stunnel4 not found: apt-get install -y stunnel4")
    with tempfile.TemporaryDirectory(prefix="eit-startup-") as work:
        make_pki(work)
        kinds = {"eit-relay (bin/stunnel)": [DROP_IN], "stunnel4": [stunnel4],
                 "JVM floor (java binding one socket, nothing else)": floor_command(work)}
        results = {k: [] for k in kinds}
        for run in range(args.runs):
            order = list(kinds)[run % len(kinds):] + list(kinds)[:run % len(kinds)]
            for kind in order:
                port = free_port()
                name = f"r{run}-{kind.split()[0]}"
                pid_file = os.path.join(work, name + ".pid")
                if kind.startswith("JVM floor"):
                    argv = kinds[kind] + [str(port), pid_file]
                else:
                    argv = kinds[kind] + [write_conf(work, name, port, free_port())]
                r = one_start(argv, port, pid_file, args.idle)
                results[kind].append(r)
                print(f"run {run + 1} {kind}: accepting {r[0]:.0f} ms, ready {r[1]:.0f} ms, {r[2]:.1f} MB",
                      file=sys.stderr, flush=True)
    lines = ["| process | exec to port accepting | exec to pid file (serving) | idle RSS |", "|---|---|---|---|"]

    def cell(values, unit, digits):
        return f"{statistics.median(values):.{digits}f} {unit} ({min(values):.{digits}f}-{max(values):.{digits}f})"
    for kind, rs in results.items():
        lines.append(f"| {kind} | {cell([r[0] for r in rs], 'ms', 0)} | {cell([r[1] for r in rs], 'ms', 0)} | "
                     f"{cell([r[2] for r in rs], 'MB', 1)} |")
    java_ms = statistics.median(r[0] for r in results["eit-relay (bin/stunnel)"])
    lines.append("")
    lines.append(f"Medians (min-max) of {args.runs} runs each, rotated order, {args.idle:g} s idle before RSS; "
                 f"command: `python3 benchmarks/startup.py --runs {args.runs}`; relay/stunnel4 start-up "
                 f"ratio {java_ms / statistics.median(r[0] for r in results['stunnel4']):.1f}x.")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
