"""Unit tests of report.py: the verdicts and bounds it prints for issue 5's targets, from a small made-up
run. Run by the benchmarks module's test phase (`python3 -m unittest discover -s benchmarks`)."""
import os
import re
import unittest

import report

GB = 1e9
MACHINE = {"cores": 2, "cpu": "test cpu", "kernel": "6.1", "aes_flags": "aes", "relay": "0.1.0", "java": "java 17",
           "stunnel": "stunnel 5.68", "openssl": "OpenSSL 3", "iperf3": "iperf 3", "socat": "socat 1.7",
           "ganesha": "ganesha 5"}
ARGS = {"runs": 1, "bytes": 1 << 30, "calls": 20000, "conc_seconds": 10, "nfs_bytes": 1 << 30}


def bulk(path, gbit, cpu_s_per_gb=None, load_cpu_s_per_gb=None):
    """Two rows (both directions) of one path, with its ends' CPU (tunnels) or iperf3's own (direct)."""
    rows = []
    for kind in ("bulk_to_server", "bulk_from_server"):
        row = {"kind": kind, "path": path, "gbit": gbit, "bytes": GB}
        if cpu_s_per_gb is not None:
            row.update(cpu_client=cpu_s_per_gb, cpu_server=cpu_s_per_gb)
        if load_cpu_s_per_gb is not None:
            row.update(load_cpu_client=load_cpu_s_per_gb / 2, load_cpu_server=load_cpu_s_per_gb / 2)
        rows.append(row)
    return rows


def copy_ref(cpu_s_per_gb, gbit=14.0):
    """Two rows of the copy-only reference pair (socat, 256 KiB buffers, no TLS): the floor of a tunnel end's copies."""
    return [{"kind": kind, "path": "copy", "gbit": gbit, "bytes": GB, "cpu_client": cpu_s_per_gb,
             "cpu_server": cpu_s_per_gb} for kind in ("copy_to_server", "copy_from_server")]


def nfs(path, write_mbs, read_mbs):
    return {"kind": "nfs", "path": path, "write_mbs": write_mbs, "read_mbs": read_mbs}


def run(rows, aes_gb_s=2.0):
    return {"command": "benchmarks/compare.sh", "started": "t0", "finished": "t1", "machine": MACHINE, "args": ARGS,
            "openssl_speed": {"aes-128-gcm": aes_gb_s, "aes-256-gcm": aes_gb_s / 1.3}, "rows": rows}


def target(markdown, name):
    """The (measured, verdict) cells of the targets table row that starts with `name`."""
    for line in markdown.splitlines():
        if line.startswith("| " + name):
            cells = [c.strip() for c in line.strip("|").split("|")]
            return cells[1], cells[2]
    raise AssertionError(f"no target row {name!r} in:\n{markdown}")


class BulkAndCpuTargets(unittest.TestCase):
    # Copy floor 0.5 s/GB (the copy-only reference's ends) + AES-GCM 0.5 s/GB (2 GB/s): a tunnel end's floor is 1.0.
    ROWS = (bulk("direct", 17.0, load_cpu_s_per_gb=0.3) + bulk("socat", 2.5, cpu_s_per_gb=0.6)
            + bulk("relay", 3.0, cpu_s_per_gb=1.1) + bulk("stunnel", 2.0, cpu_s_per_gb=1.3) + copy_ref(0.5))

    def test_throughput_ratios_and_verdicts_come_from_the_medians(self):
        md = report.render(run(self.ROWS), "/nonexistent")
        self.assertEqual(("1.50x", "**met**"), target(md, "bulk to server: relay >= 1.5x stunnel"))
        self.assertEqual(("1.20x socat", "**met**"), target(md, "bulk from server: relay (TLS) faster than socat"))

    def test_a_cpu_limit_below_a_tunnel_ends_floor_is_called_out_of_reach(self):
        md = report.render(run(self.ROWS), "/nonexistent")
        measured, verdict = target(md, "CPU/GB of the relay client end <= 0.5x stunnel's")
        self.assertEqual("**missed**", verdict)
        self.assertIn("out of reach: 0.65 s/GB is below a tunnel end's floor of 1.00", measured)
        # 2.0x AES alone is 1.0 s/GB: reachable in principle, so a plain miss without the claim.
        measured, verdict = target(md, "CPU/GB of the relay server end <= 2.0x the AES-GCM floor")
        self.assertEqual(("2.20x", "**missed**"), (measured, verdict))

    def test_a_limit_a_hair_below_the_floor_is_printed_so_that_the_two_differ(self):
        # stunnel's ends at 1.996 s/GB: 0.5x is 0.998, under the 1.0 floor; two decimals would print both as 1.00.
        rows = (bulk("direct", 17.0, load_cpu_s_per_gb=0.3) + bulk("socat", 2.5, cpu_s_per_gb=0.6)
                + bulk("relay", 3.0, cpu_s_per_gb=1.1) + bulk("stunnel", 2.0, cpu_s_per_gb=1.996) + copy_ref(0.5))
        measured, _ = target(report.render(run(rows), "/nonexistent"), "CPU/GB of the relay client end <= 0.5x")
        self.assertIn("out of reach: 0.998 s/GB is below a tunnel end's floor of 1.000", measured)

    def test_an_end_below_the_floor_estimate_voids_every_bound_drawn_from_it(self):
        # The relay client end at 0.9 s/GB beat the 1.0 estimate: no CPU or NFS target may cite that floor.
        rows = (bulk("direct", 17.0, load_cpu_s_per_gb=0.3) + bulk("socat", 2.5, cpu_s_per_gb=0.6)
                + bulk("relay", 3.0, cpu_s_per_gb=0.9) + bulk("stunnel", 2.0, cpu_s_per_gb=1.3) + copy_ref(0.5)
                + [nfs("direct", 1000, 1000), nfs("relay", 440, 440), nfs("stunnel", 400, 400)])
        md = report.render(run(rows), "/nonexistent")
        self.assertIn("In this run the relay client and relay server ends spent less than that estimate", md)
        measured, verdict = target(md, "CPU/GB of the relay client end <= 0.5x stunnel's")
        self.assertEqual(("0.69x", "**missed**"), (measured, verdict))
        measured, _ = target(md, "NFS write: relay >= 1.5x stunnel")
        self.assertNotIn("socket copies", measured)

    def test_the_copy_only_reference_is_shown_and_sets_the_floor(self):
        md = report.render(run(self.ROWS), "/nonexistent")
        self.assertIn("| copy-only reference (socat, 256 KiB buffers, no TLS) | 14.00 | 14.00 | 0.50 | 0.50 |", md)
        self.assertIn("its floor is about 0.50 + 0.50 (AES-GCM) = 1.00 CPU s per GB", md)

    def test_without_the_copy_only_reference_no_floor_is_claimed(self):
        # iperf3's own CPU on the direct path is no floor for a tunnel end (TUNING.md entry 14: a copy-only end
        # spent less than that estimate), so a run without the reference claims none, however high.
        rows = (bulk("direct", 17.0, load_cpu_s_per_gb=5.0) + bulk("socat", 2.5, cpu_s_per_gb=0.6)
                + bulk("relay", 3.0, cpu_s_per_gb=1.1) + bulk("stunnel", 2.0, cpu_s_per_gb=1.3)
                + [nfs("direct", 1000, 1000), nfs("relay", 660, 660), nfs("stunnel", 600, 600)])
        md = report.render(run(rows), "/nonexistent")
        self.assertNotIn("Copy floor", md)
        self.assertEqual(("0.85x", "**missed**"), target(md, "CPU/GB of the relay client end <= 0.5x stunnel's"))
        self.assertIn("floor (AES-GCM alone)", target(md, "NFS write: relay >= 1.5x stunnel")[0])

    def test_a_met_cpu_target_claims_no_bound(self):
        rows = self.ROWS[:6] + bulk("stunnel", 2.0, cpu_s_per_gb=2.4) + copy_ref(0.5)
        md = report.render(run(rows), "/nonexistent")
        self.assertEqual(("0.46x", "**met**"), target(md, "CPU/GB of the relay client end <= 0.5x stunnel's"))


class NfsTargets(unittest.TestCase):
    # A tunnel end's floor per MiB: (0.5 AES + 0.5 copying) s/GB x 1.048576e-3 GB = 1.05 ms. Direct at 1000 MB/s
    # takes 1.05 ms per MiB.
    BASE = bulk("direct", 17.0, load_cpu_s_per_gb=0.3) + copy_ref(0.5) + [nfs("direct", 1000, 1000)]

    def test_a_budget_below_a_tunnel_ends_floor_is_called_out_of_reach(self):
        # stunnel 400 MB/s: 2.62 ms per MiB; 1.5x leaves 2.62 / 1.5 - 1.05 = 0.70 ms, below the 1.05 floor.
        md = report.render(run(self.BASE + [nfs("relay", 440, 440), nfs("stunnel", 400, 400)]), "/nonexistent")
        measured, verdict = target(md, "NFS write: relay >= 1.5x stunnel")
        self.assertEqual("**missed**", verdict)
        self.assertTrue(measured.startswith("1.10x; 1.5x allows a tunnel 0.70 ms per MiB"), measured)
        self.assertIn("out of reach: one tunnel end's floor (AES-GCM and socket copies) is 1.05 ms per MiB", measured)

    def test_a_direct_path_below_one_and_a_half_stunnel_puts_the_target_out_of_any_tunnels_reach(self):
        # Direct 1000 MB/s against stunnel 700: 1.43x. 1.5x stunnel (1050 MB/s) is faster than no tunnel at all.
        md = report.render(run(self.BASE + [nfs("relay", 800, 800), nfs("stunnel", 700, 700)]), "/nonexistent")
        measured, verdict = target(md, "NFS write: relay >= 1.5x stunnel")
        self.assertEqual("**missed**", verdict)
        self.assertIn("out of reach: the direct path itself is only 1.43x stunnel", measured)
        self.assertNotIn("floor", measured)

    def test_a_reachable_miss_is_only_a_miss(self):
        # stunnel 300 MB/s: 3.50 ms per MiB; 1.5x leaves 1.28 ms, above the floor: a tunnel could do it.
        md = report.render(run(self.BASE + [nfs("relay", 350, 350), nfs("stunnel", 300, 300)]), "/nonexistent")
        measured, verdict = target(md, "NFS read: relay >= 1.5x stunnel")
        self.assertEqual("**missed**", verdict)
        self.assertNotIn("out of reach", measured)

    def test_met_is_met(self):
        md = report.render(run(self.BASE + [nfs("relay", 460, 460), nfs("stunnel", 300, 300)]), "/nonexistent")
        self.assertEqual("**met**", target(md, "NFS write: relay >= 1.5x stunnel")[1])

    def test_without_bulk_rows_the_floor_is_aes_alone(self):
        # No copy-only reference: the floor per MiB is AES-GCM's only, 0.5 s/GB -> 0.52 ms.
        rows = [nfs("direct", 1000, 1000), nfs("relay", 330, 330), nfs("stunnel", 300, 300)]
        md = report.render(run(rows), "/nonexistent")
        measured, _ = target(md, "NFS write: relay >= 1.5x stunnel")
        self.assertNotIn("out of reach", measured)
        rows = [nfs("direct", 1000, 1000), nfs("relay", 660, 660), nfs("stunnel", 600, 600)]
        measured, _ = target(report.render(run(rows), "/nonexistent"), "NFS write: relay >= 1.5x stunnel")
        self.assertIn("floor (AES-GCM alone) is 0.52 ms per MiB", measured)


def conc64(path, gbit, rss_mb):
    return {"kind": "conc64", "path": path, "gbit": gbit, "bytes": GB, "rss_mb": rss_mb, "cpu_client": 1.0,
            "cpu_server": 1.0}


class ConcurrentRssTarget(unittest.TestCase):
    ROWS = [conc64("direct", 20.0, 0), conc64("socat", 2.0, 240.0), conc64("relay", 4.0, 200.0)]
    NAME = "64 connections: total RSS relay <= stunnel"

    def test_below_two_jvm_floors_is_called_out_of_reach(self):
        # stunnel's 60 MB is above one JVM's floor but below two: no pair of JVM processes gets there.
        res = run(self.ROWS + [conc64("stunnel", 2.5, 60.0)])
        res["jvm_floor_mb"] = 37.5
        measured, verdict = target(report.render(res, "/nonexistent"), self.NAME)
        self.assertEqual("**missed**", verdict)
        self.assertIn("out of reach for two JVM processes: a java that only binds a socket idles at 37.5 MB, "
                      "two of them at 75.0 MB", measured)

    def test_above_two_jvm_floors_a_miss_is_only_a_miss(self):
        res = run(self.ROWS + [conc64("stunnel", 2.5, 120.0)])
        res["jvm_floor_mb"] = 37.5
        self.assertEqual(("200.0 vs 120.0 MB", "**missed**"), target(report.render(res, "/nonexistent"), self.NAME))

    def test_without_the_floor_measured_no_bound_is_claimed(self):
        md = report.render(run(self.ROWS + [conc64("stunnel", 2.5, 33.0)]), "/nonexistent")
        self.assertEqual(("200.0 vs 33.0 MB", "**missed**"), target(md, self.NAME))

    def test_met_is_met(self):
        res = run(self.ROWS + [conc64("stunnel", 2.5, 250.0)])
        res["jvm_floor_mb"] = 37.5
        self.assertEqual(("200.0 vs 250.0 MB", "**met**"), target(report.render(res, "/nonexistent"), self.NAME))


def latency(path, in_flight, p50, p99, cpu_us_per_call=None, calls=10000):
    """One latency run of a path; with the CPU its tunnel ends spent, as compare.py records it."""
    row = {"kind": f"latency_{in_flight}", "path": path, "p50_us": p50, "p99_us": p99, "calls": calls}
    if cpu_us_per_call is not None:
        # compare.py's seconds over the measured and the 10,000 unmeasured calls of the connection
        row.update(cpu_client=cpu_us_per_call[0] * (calls + 10000) / 1e6,
                   cpu_server=cpu_us_per_call[1] * (calls + 10000) / 1e6)
    return row


class LatencyTargets(unittest.TestCase):
    ROWS = [latency("direct", 16, 40.0, 100.0, (0, 0)), latency("socat", 16, 150.0, 300.0, (5.0, 5.0)),
            latency("relay", 16, 200.0, 300.0, (6.0, 4.0)), latency("stunnel", 16, 190.0, 400.0, (7.0, 6.0))]

    def render(self, rows):
        res = run(rows)
        res["connection_warmup_calls"] = 10000
        return report.render(res, "/nonexistent")

    def test_each_ends_cpu_per_call_is_tabled_counting_the_unmeasured_calls(self):
        md = self.render(self.ROWS)
        self.assertIn("| relay | n/a | n/a | 6.0 | 4.0 |", md)
        self.assertIn("| stunnel | n/a | n/a | 7.0 | 6.0 |", md)

    def test_a_missed_latency_target_shows_both_tunnels_cpu_per_call_and_stays_missed(self):
        md = self.render(self.ROWS)
        self.assertEqual(("160.0 vs 150.0 us; CPU per call, relay ends 6.0 + 4.0 us, stunnel's 7.0 + 6.0", "**missed**"),
                         target(md, "added p50 latency at 16 in flight"))
        self.assertEqual(("200.0 vs 300.0 us", "**met**"), target(md, "added p99 latency at 16 in flight"))

    def test_runs_without_the_cpu_figures_have_no_cpu_table(self):
        md = self.render([latency("direct", 16, 40.0, 100.0), latency("socat", 16, 100.0, 200.0),
                          latency("relay", 16, 120.0, 200.0), latency("stunnel", 16, 110.0, 200.0)])
        self.assertNotIn("CPU per call of each tunnel end", md)
        self.assertEqual(("80.0 vs 70.0 us", "**missed**"), target(md, "added p50 latency at 16 in flight"))


class OlderRuns(unittest.TestCase):
    def test_a_run_without_the_newer_fields_still_renders(self):
        # Runs saved before the per-process CPU and transit figures existed: n/a cells, no exception.
        md = report.render(run([nfs(p, 500, 500) for p in report.PATHS]), "/nonexistent")
        self.assertIn("| relay | 500 | 500 | n/a | n/a |", md)
        self.assertIn("## Targets (issue 5)", md)

    def test_the_latency_warm_up_is_stated_as_run(self):
        # The reader must know whether a latency run's first calls on its connection were measured.
        res = run([nfs(p, 500, 500) for p in report.PATHS])
        self.assertIn("in flight on one connection.", report.render(res, "/nonexistent"))
        res["connection_warmup_calls"] = 20000
        res["warmup_calls"] = 120000
        md = report.render(res, "/nonexistent")
        self.assertIn("in flight on one connection, each after 20,000 unmeasured calls on that connection.", md)
        self.assertIn("and 120,000 calls", md)

    def test_the_committed_results_render_to_the_committed_report(self):
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "results.json")) as f:
            import json
            res = json.load(f)
        with open(os.path.join(here, "RESULTS.md")) as f:
            committed = f.read()
        self.assertEqual(committed, report.render(res, os.path.dirname(here)),
                         "RESULTS.md is not what report.py makes of results.json (re-render it)")
        self.assertTrue(re.search(r"\| bulk to server: relay >= 1\.5x stunnel \| [0-9.]+x \|", committed))


if __name__ == "__main__":
    unittest.main()
