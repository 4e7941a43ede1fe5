package io.eitrelay.probe.nfs;

import io.eitrelay.probe.rpc.Auth;
import io.eitrelay.probe.rpc.RpcClient;
import io.eitrelay.probe.rpc.RpcException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the probes of one NFS version {@code count} times over one connection (two for NFSv3: NFS and
 * MOUNT), printing a line per probe and a min/median/p99 summary. The result says whether every probe
 * got a correct answer.
 */
public final class ProbeRunner {
    /** What to probe. {@code mountPort} and {@code export} are for NFSv3 only. */
    public record Plan(InetSocketAddress nfs, InetSocketAddress mount, String export, int nfsVersion, int count,
                       int timeoutMillis) { }

    private interface Probe {
        String run() throws IOException, RpcException;
    }

    private ProbeRunner() {
    }

    /** Returns true when every probe of every round succeeded. */
    public static boolean run(Plan plan, PrintWriter out) {
        Map<String, List<Long>> latencies = new LinkedHashMap<>();
        boolean ok = true;
        Auth auth = Auth.sys("eit-relay-probe", 0, 0);
        try (RpcClient nfs = new RpcClient(plan.nfs(), plan.timeoutMillis());
             RpcClient mount = plan.nfsVersion() == 3 ? new RpcClient(plan.mount(), plan.timeoutMillis()) : null) {
            for (int round = 1; round <= plan.count(); round++) {
                Map<String, Probe> probes = new LinkedHashMap<>();
                if (plan.nfsVersion() == 4) {
                    probes.put("NFSv4 NULL", () -> NfsProbes.nullPing(nfs, NfsProbes.PROGRAM_NFS, 4));
                    probes.put("NFSv4 COMPOUND(PUTROOTFH,GETATTR)", () -> NfsProbes.nfs4RootGetattr(nfs, auth));
                } else {
                    byte[][] handle = new byte[1][];
                    probes.put("NFSv3 NULL", () -> NfsProbes.nullPing(nfs, NfsProbes.PROGRAM_NFS, 3));
                    probes.put("MOUNTv3 NULL", () -> NfsProbes.nullPing(mount, NfsProbes.PROGRAM_MOUNT, 3));
                    probes.put("MOUNTv3 MNT " + plan.export(), () -> {
                        handle[0] = NfsProbes.mount(mount, auth, plan.export());
                        return "root handle of " + handle[0].length + " bytes";
                    });
                    probes.put("NFSv3 GETATTR", () -> NfsProbes.nfs3Getattr(nfs, auth, need(handle[0])));
                    probes.put("NFSv3 FSINFO", () -> NfsProbes.nfs3Fsinfo(nfs, auth, need(handle[0])));
                    probes.put("MOUNTv3 UMNT " + plan.export(), () -> NfsProbes.unmount(mount, auth, plan.export()));
                }
                for (Map.Entry<String, Probe> probe : probes.entrySet()) {
                    long start = System.nanoTime();
                    String result;
                    try {
                        result = probe.getValue().run();
                    } catch (RpcException | IOException | RuntimeException e) {
                        out.printf(Locale.ROOT, "%3d  %-40s FAILED: %s%n", round, probe.getKey(), e.getMessage());
                        ok = false;
                        continue;
                    }
                    long nanos = System.nanoTime() - start;
                    latencies.computeIfAbsent(probe.getKey(), k -> new ArrayList<>()).add(nanos);
                    out.printf(Locale.ROOT, "%3d  %-40s %8.3f ms  %s%n", round, probe.getKey(), nanos / 1e6, result);
                }
            }
        } catch (IOException e) {
            out.println("cannot connect: " + e.getMessage());
            out.flush();
            return false;
        }
        out.println("summary (ms)                                   ok      min   median      p99");
        for (Map.Entry<String, List<Long>> entry : latencies.entrySet()) {
            List<Long> sorted = new ArrayList<>(entry.getValue());
            sorted.sort(null);
            out.printf(Locale.ROOT, "     %-40s %4d %8.3f %8.3f %8.3f%n", entry.getKey(), sorted.size(),
                    sorted.get(0) / 1e6, percentile(sorted, 50) / 1e6, percentile(sorted, 99) / 1e6);
        }
        out.flush();
        return ok;
    }

    private static byte[] need(byte[] handle) throws RpcException {
        if (handle == null) {
            throw new RpcException("no root handle: MNT did not succeed");
        }
        return handle;
    }

    /** Nearest-rank percentile of a sorted list. */
    static long percentile(List<Long> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
