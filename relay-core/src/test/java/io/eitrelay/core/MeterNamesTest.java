package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.metrics.MeterNames;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.RpcReplyServer;
import io.eitrelay.testing.TestPki;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters a user scrapes exist under their declared names, with the tags documented, and count right. */
class MeterNamesTest {
    @TempDir
    Path dir;

    @Test
    void everyDeclaredMeterIsPublishedAndRpcCallsAreTimedByProcedure() throws Exception {
        TestPki pki = new TestPki(dir);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(MeterNames.descriptions());
        RecordFraming framing = RecordFraming.on(RecordFraming.DEFAULT_MAX_RECORD);
        try (RpcReplyServer nfs = new RpcReplyServer()) {
            Relay server = Relay.start(Configs.relay(Configs.server(nfs.port(), pki.server()).withFraming(framing),
                    TransportChoice.AUTO, ProviderChoice.AUTO));
            EndpointConfig clientConfig = Configs.client(server.endpoints().get(0).boundAddress().getPort(), pki.caFile())
                    .withFraming(framing);
            Relay client = Relay.start(Configs.relay(clientConfig, TransportChoice.AUTO, ProviderChoice.AUTO), registry);
            int port = client.endpoints().get(0).boundAddress().getPort();
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(10_000);
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                DataInputStream in = new DataInputStream(socket.getInputStream());
                for (int xid = 1; xid <= 50; xid++) {
                    // NFSv3 GETATTR (program 100003, version 3, procedure 1) with AUTH_NONE, split in two fragments.
                    out.writeInt(12);
                    out.writeInt(xid);
                    out.writeInt(0);
                    out.writeInt(2);
                    out.writeInt(0x8000_0000 | 28);
                    out.writeInt(100_003);
                    out.writeInt(xid % 5 == 0 ? 4 : 3);
                    out.writeInt(1);
                    out.writeLong(0);
                    out.writeLong(0);
                    out.flush();
                    assertEquals(0x8000_0000 | 24, in.readInt());
                    assertEquals(xid, in.readInt());
                    in.readFully(new byte[20]);
                }
            }
            try (Socket garbage = new Socket(InetAddress.getLoopbackAddress(), port)) {
                garbage.getOutputStream().write("not rpc at all".getBytes(StandardCharsets.US_ASCII));
                garbage.setSoTimeout(5_000);
                assertEquals(-1, garbage.getInputStream().read());
            }
            assertTrue(Eventually.within(5_000, () -> client.endpoints().get(0).openChannels() == 0));

            String endpoint = client.endpoints().get(0).name();
            Timer getattr = registry.find(MeterNames.RPC_CALLS).tags(MeterNames.TAG_ENDPOINT, endpoint,
                    MeterNames.TAG_PROGRAM, "NFS", MeterNames.TAG_VERSION, "3", MeterNames.TAG_PROCEDURE, "GETATTR").timer();
            assertNotNull(getattr, registry.getMetersAsString());
            assertEquals(40, getattr.count());
            Timer v4 = registry.find(MeterNames.RPC_CALLS).tags(MeterNames.TAG_VERSION, "4", MeterNames.TAG_PROCEDURE, "COMPOUND").timer();
            assertEquals(10, v4.count(), "NFSv4 procedure 1 is COMPOUND");
            assertEquals(2, registry.get(MeterNames.CONNECTIONS).counter().count());
            assertEquals(1, registry.get(MeterNames.CONNECTION_FAILURES).counter().count());
            assertEquals(0, registry.get(MeterNames.CONNECTIONS_REFUSED).tag(MeterNames.TAG_REASON, "local_access")
                    .counter().count(), "published from the start, at zero");
            assertEquals(0, registry.get(MeterNames.TARGET_SILENT).counter().count(), "published from the start, at zero");
            assertEquals(1, registry.get(MeterNames.FRAMING_ERRORS).counter().count());
            assertEquals(0, registry.get(MeterNames.CONNECTIONS_ACTIVE).gauge().value());
            assertEquals(50 * (4 + 12 + 4 + 28), registry.get(MeterNames.BYTES).tag(MeterNames.TAG_DIRECTION, "to_target").counter().count());
            assertEquals(50 * 28, registry.get(MeterNames.BYTES).tag(MeterNames.TAG_DIRECTION, "from_target").counter().count());
            assertEquals(2, registry.get(MeterNames.HANDSHAKES).tag(MeterNames.TAG_OUTCOME, "success").counter().count());
            // The second connection resumes the first one's session (a ticket from our server endpoint).
            assertEquals(1, registry.get(MeterNames.TLS_SESSIONS).tags(MeterNames.TAG_PROTOCOL, "TLSv1.3",
                    MeterNames.TAG_RESUMED, "false").counter().count());
            assertEquals(1, registry.get(MeterNames.TLS_SESSIONS).tags(MeterNames.TAG_PROTOCOL, "TLSv1.3",
                    MeterNames.TAG_RESUMED, "true").counter().count());
            assertEquals(2, registry.get(MeterNames.HANDSHAKE_TIME).timer().count());

            // Test certificates are valid for one more day.
            double peerDays = registry.get(MeterNames.CERTIFICATE_EXPIRY_DAYS).tag(MeterNames.TAG_CERTIFICATE, "peer").gauge().value();
            assertTrue(peerDays > 0.9 && peerDays <= 1.0, "peer certificate days left: " + peerDays);
            assertTrue(Double.isNaN(registry.get(MeterNames.CERTIFICATE_EXPIRY_DAYS).tag(MeterNames.TAG_CERTIFICATE, "own")
                    .gauge().value()), "the client presents no certificate");
            double serverOwn = server.endpoints().get(0).stats().ownCertificateDaysLeft();
            assertTrue(serverOwn > 0.9 && serverOwn <= 1.0, "server's own certificate days left: " + serverOwn);

            Set<String> published = new HashSet<>();
            for (Meter meter : registry.getMeters()) {
                published.add(meter.getId().getName());
                // The HELP line of a scrape.
                assertEquals(MeterNames.description(meter.getId().getName()), meter.getId().getDescription(), meter.getId().toString());
            }
            for (Field field : MeterNames.class.getFields()) {
                // HEALTH is the daemon's (relay-cli HealthChecksTest); everything else a relay publishes itself.
                if (Modifier.isStatic(field.getModifiers()) && !field.getName().startsWith("TAG_")
                        && !field.getName().equals("HEALTH")) {
                    assertTrue(published.contains((String) field.get(null)), field.getName() + " not published: " + published);
                }
                if (Modifier.isStatic(field.getModifiers()) && !field.getName().startsWith("TAG_")) {
                    assertNotNull(MeterNames.description((String) field.get(null)), field.getName() + " has no description");
                }
            }
            client.stop(Duration.ZERO);
            server.stop(Duration.ZERO);
        }
    }
}
