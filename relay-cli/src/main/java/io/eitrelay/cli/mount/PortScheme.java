package io.eitrelay.cli.mount;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a mount's local endpoint may be, in the shape the cloud helpers use (../docs: stunnel contract §4),
 * so that tools reading /proc/mounts or `ss` find what they expect.
 * <ul>
 *   <li>{@code efs}: 127.0.0.1, a port in 20049..21048 (efs-utils' default range);</li>
 *   <li>{@code alinas}: port 12049 on 127.0.i.j, i in 1..255, j in 1..254 (alinas-utils); a separate MOUNT
 *       service (NFSv3 with {@code mountport=}) gets port 12050 on the same address.</li>
 * </ul>
 * The list is only an order of candidates: a candidate is claimed by binding it inside the daemon, and
 * a taken one is skipped, so parallel mounts never get the same one.
 */
public enum PortScheme {
    EFS, ALINAS;

    public static final int EFS_FIRST_PORT = 20049;
    public static final int EFS_LAST_PORT = 21048;
    public static final int ALINAS_PORT = 12049;
    public static final int ALINAS_MOUNT_PORT = 12050;
    private static final int ALINAS_LAST_I = 255;
    private static final int ALINAS_LAST_J = 254;

    public static PortScheme parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "efs" -> EFS;
            case "alinas" -> ALINAS;
            default -> throw new IllegalArgumentException("port_scheme=" + text + ": expected efs or alinas");
        };
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every NFS endpoint candidate, starting at {@code start} (an index, wrapped) so that mounts spread out. */
    public List<InetSocketAddress> candidates(int start) {
        List<InetSocketAddress> all = new ArrayList<>();
        if (this == EFS) {
            int size = EFS_LAST_PORT - EFS_FIRST_PORT + 1;
            for (int k = 0; k < size; k++) {
                all.add(new InetSocketAddress(loopback(127, 0, 0, 1), EFS_FIRST_PORT + Math.floorMod(start + k, size)));
            }
        } else {
            for (int i = 1; i <= ALINAS_LAST_I; i++) {
                for (int j = 1; j <= ALINAS_LAST_J; j++) {
                    all.add(new InetSocketAddress(loopback(127, 0, i, j), ALINAS_PORT));
                }
            }
        }
        return all;
    }

    /** Candidates for a separate MOUNT endpoint belonging to the NFS endpoint {@code nfs}. */
    public List<InetSocketAddress> mountCandidates(InetSocketAddress nfs) {
        if (this == ALINAS) {
            return List.of(new InetSocketAddress(nfs.getAddress(), ALINAS_MOUNT_PORT));
        }
        List<InetSocketAddress> all = candidates(nfs.getPort() - EFS_FIRST_PORT + 1);
        return all.subList(0, all.size() - 1); // every port but the NFS endpoint's own
    }

    private static InetAddress loopback(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are an IPv4 address", e);
        }
    }
}
