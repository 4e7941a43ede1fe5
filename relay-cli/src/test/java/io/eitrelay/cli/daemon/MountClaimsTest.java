package io.eitrelay.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.cli.daemon.MountClaims.Claim;
import io.eitrelay.cli.mount.MountTable.NfsMount;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a mount's endpoint may go: never while mounted, after the grace once not, not under a mount in progress. */
class MountClaimsTest {
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final NfsMount MOUNTED = new NfsMount("127.0.0.1:/", "/mnt/fs", "nfs4", "127.0.0.1", 20100);

    @Test
    void aMountedEndpointStaysAndAnUnmountedOneGoesAfterTheGrace() {
        MountClaims claims = new MountClaims(GRACE);
        Claim claim = claim(claims, true);
        claims.observe(List.of(MOUNTED), T0);
        assertEquals(List.of(), claims.due(T0.plus(Duration.ofDays(30))), "mounted: never");
        assertEquals(List.of("/mnt/fs"), claim.mountPoints);
        claims.observe(List.of(), T0.plusSeconds(100)); // unmounted
        assertEquals(List.of(), claims.due(T0.plusSeconds(129)));
        assertEquals(List.of(claim), claims.due(T0.plusSeconds(130)));
        claims.observe(List.of(MOUNTED), T0.plusSeconds(131)); // mounted again before the sweep: kept
        assertEquals(List.of(), claims.due(T0.plusSeconds(1000)));
    }

    @Test
    void aMountInProgressIsNotTakenAwayBeforeMountNfsCouldHaveGivenUp() {
        MountClaims claims = new MountClaims(GRACE);
        Claim claim = claim(claims, false);
        claims.observe(List.of(), T0);
        assertEquals(List.of(), claims.due(T0.plus(GRACE).plusSeconds(60)), "pending: not after the grace");
        assertEquals(List.of(claim), claims.due(T0.plus(MountClaims.PENDING_LIMIT)), "a mount command that died");
    }

    @Test
    void aMountSeenInTheTableCountsAsConfirmed() {
        MountClaims claims = new MountClaims(GRACE);
        Claim claim = claim(claims, false);
        claims.observe(List.of(MOUNTED), T0);
        assertTrue(claim.confirmed);
        claims.observe(List.of(new NfsMount("127.0.0.1:/", "/mnt/other", "nfs4", "127.0.0.1", 20101)), T0.plusSeconds(1));
        assertEquals(List.of(claim), claims.due(T0.plusSeconds(31)), "another port is another endpoint's mount");
    }

    private static Claim claim(MountClaims claims, boolean confirmed) {
        Claim claim = new Claim("mount-127.0.0.1:20100", "fs.example", new InetSocketAddress("127.0.0.1", 20100), null, null,
                T0, confirmed);
        claims.add(claim);
        return claim;
    }
}
