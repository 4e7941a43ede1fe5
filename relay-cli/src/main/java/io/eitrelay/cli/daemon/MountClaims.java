package io.eitrelay.cli.daemon;

import io.eitrelay.cli.mount.MountTable.NfsMount;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The endpoints {@code eit-relay mount} claimed, and when each may go. A claim is pending from the
 * moment it is bound until mount.nfs succeeded (confirmed); it is released at once when mount.nfs
 * failed. After that it lives as long as a mount in /proc/mounts connects to it, plus a grace period:
 * an endpoint the kernel still uses is never removed, and a pending one is not taken from under a
 * mount.nfs still retrying (up to {@link #PENDING_LIMIT}).
 */
final class MountClaims {
    /** mount.nfs retries a foreground mount for 2 minutes (nfs(5) retry=); a pending claim outlives it. */
    static final Duration PENDING_LIMIT = Duration.ofMinutes(10);

    /** One mount's endpoints: NFS, and MOUNT when the server has it on another port (NFSv3). */
    static final class Claim {
        final String name;
        final String server;
        final InetSocketAddress nfs;
        final String mountName;
        final InetSocketAddress mount;
        final Instant claimedAt;
        boolean confirmed;
        Instant unusedSince;
        List<String> mountPoints = List.of();

        Claim(String name, String server, InetSocketAddress nfs, String mountName, InetSocketAddress mount, Instant claimedAt,
              boolean confirmed) {
            this.name = name;
            this.server = server;
            this.nfs = nfs;
            this.mountName = mountName;
            this.mount = mount;
            this.claimedAt = claimedAt;
            this.confirmed = confirmed;
        }

        List<String> endpointNames() {
            return mountName == null ? List.of(name) : List.of(name, mountName);
        }

        boolean usedBy(NfsMount mount) {
            return mount.connectsTo(nfs.getAddress().getHostAddress(), nfs.getPort());
        }

        String state() {
            if (!mountPoints.isEmpty()) {
                return "mounted on " + String.join(", ", mountPoints);
            }
            return confirmed ? "not mounted" + (unusedSince == null ? ""
                    : " since " + unusedSince.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)) : "mount in progress";
        }
    }

    private final Map<String, Claim> claims = new LinkedHashMap<>();
    private final Duration grace;

    MountClaims(Duration grace) {
        this.grace = grace;
    }

    void add(Claim claim) {
        claims.put(claim.name, claim);
    }

    Claim get(String name) {
        return claims.get(name);
    }

    Claim remove(String name) {
        return claims.remove(name);
    }

    Collection<Claim> all() {
        return claims.values();
    }

    /** The claim an endpoint belongs to, by either of its endpoint names. */
    Claim owning(String endpointName) {
        return claims.values().stream().filter(c -> c.endpointNames().contains(endpointName)).findFirst().orElse(null);
    }

    boolean isClaimed(InetSocketAddress address) {
        return claims.values().stream().anyMatch(c -> c.nfs.equals(address) || address.equals(c.mount));
    }

    /** Notes which claims the mount table uses now, and since when the others are unused. */
    void observe(List<NfsMount> table, Instant now) {
        for (Claim claim : claims.values()) {
            claim.mountPoints = table.stream().filter(claim::usedBy).map(NfsMount::mountPoint).toList();
            if (!claim.mountPoints.isEmpty()) {
                claim.unusedSince = null;
                claim.confirmed = true; // mounted, whether or not the mount command lived to say so
            } else if (claim.unusedSince == null) {
                claim.unusedSince = now;
            }
        }
    }

    /** The claims whose time is up as of the last {@link #observe}, to be removed. */
    List<Claim> due(Instant now) {
        List<Claim> due = new ArrayList<>();
        for (Claim claim : claims.values()) {
            if (!claim.mountPoints.isEmpty() || claim.unusedSince == null) {
                continue;
            }
            Instant deadline = claim.confirmed ? claim.unusedSince.plus(grace) : claim.claimedAt.plus(PENDING_LIMIT);
            if (!now.isBefore(deadline)) {
                due.add(claim);
            }
        }
        return due;
    }
}
