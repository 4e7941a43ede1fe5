package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.config.TlsVersion;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where TLS records fall between the relays (read off the wire by a forwarder that parses TLS record
 * headers, RFC 8446 §5.1): small RPCs that arrive together leave in one record, large ones are cut at
 * the 16 KiB plaintext limit, and the bytes after decryption are the bytes sent.
 */
class TlsRecordLayoutTest {
    private static final int APPLICATION_DATA = 23;
    /** TLS 1.2 AES-GCM record overhead: 8-byte explicit nonce + 16-byte tag (RFC 5288 §3). */
    private static final int GCM12_OVERHEAD = 8 + 16;
    private static final int MAX_PLAINTEXT = 16_384;

    @TempDir
    Path dir;

    /** Plain TCP forwarder that records the length of every TLS application_data record sent upstream. */
    static final class RecordCountingForwarder implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        final List<Integer> upstreamRecords = new CopyOnWriteArrayList<>();

        RecordCountingForwarder(int target) throws IOException {
            Thread thread = new Thread(() -> {
                try (Socket in = server.accept(); Socket out = new Socket(InetAddress.getLoopbackAddress(), target)) {
                    Thread back = new Thread(() -> copy(out, in));
                    back.setDaemon(true);
                    back.start();
                    DataInputStream records = new DataInputStream(in.getInputStream());
                    OutputStream upstream = out.getOutputStream();
                    while (true) {
                        byte[] header = new byte[5];
                        records.readFully(header);
                        int length = ByteBuffer.wrap(header, 3, 2).getShort() & 0xffff;
                        byte[] body = new byte[length];
                        records.readFully(body);
                        if (header[0] == APPLICATION_DATA) {
                            upstreamRecords.add(length);
                        }
                        upstream.write(header);
                        upstream.write(body);
                        upstream.flush();
                    }
                } catch (IOException e) {
                    // connection over
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        private static void copy(Socket from, Socket to) {
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                byte[] buffer = new byte[65536];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // connection over
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    static byte[] smallRpcs(int count, int size) {
        ByteBuffer out = ByteBuffer.allocate(count * (size + 4));
        for (int i = 0; i < count; i++) {
            out.putInt(0x8000_0000 | size).put(Transfer.random(size, i));
        }
        return out.array();
    }

    @Test
    void smallRpcsTogetherShareOneRecordAndLargeOnesAreCutAt16KiB() throws Exception {
        TestPki pki = new TestPki(dir);
        RecordFraming framing = RecordFraming.on(RecordFraming.DEFAULT_MAX_RECORD);
        try (EchoServer echo = new EchoServer()) {
            EndpointConfig serverConfig = Configs.server(echo.port(), pki.server()).withFraming(framing);
            Relay server = Relay.start(Configs.relay(serverConfig.withTls(serverConfig.tls().withVersions(EnumSet.of(TlsVersion.TLS_1_2))),
                    TransportChoice.AUTO, ProviderChoice.AUTO));
            try (RecordCountingForwarder wire = new RecordCountingForwarder(server.endpoints().get(0).boundAddress().getPort())) {
                Relay client = Relay.start(Configs.relay(Configs.client(wire.port(), pki.caFile()).withFraming(framing),
                        TransportChoice.AUTO, ProviderChoice.AUTO));
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), client.endpoints().get(0).boundAddress().getPort())) {
                    socket.setSoTimeout(10_000);
                    // Ten 100-byte RPCs in one write, as an NFS client sends a burst of small calls.
                    byte[] burst = smallRpcs(10, 100);
                    socket.getOutputStream().write(burst);
                    assertArrayEquals(burst, socket.getInputStream().readNBytes(burst.length));
                    assertEquals(List.of(burst.length + GCM12_OVERHEAD), wire.upstreamRecords,
                            "one TLS record for the ten calls");

                    // One 100 KiB WRITE-like record: cut into records of at most 16 KiB of plaintext.
                    wire.upstreamRecords.clear();
                    byte[] large = ByteBuffer.allocate(4 + 100 * 1024).putInt(0x8000_0000 | 100 * 1024)
                            .put(Transfer.random(100 * 1024, 9)).array();
                    socket.getOutputStream().write(large);
                    assertArrayEquals(large, socket.getInputStream().readNBytes(large.length), "identical after decryption");
                    assertTrue(Eventually.within(2_000, () -> wire.upstreamRecords.stream()
                            .mapToInt(r -> r - GCM12_OVERHEAD).sum() == large.length));
                    for (int record : wire.upstreamRecords) {
                        assertTrue(record - GCM12_OVERHEAD <= MAX_PLAINTEXT, "record of " + record + " bytes");
                    }
                    assertTrue(wire.upstreamRecords.size() >= large.length / MAX_PLAINTEXT + 1, wire.upstreamRecords.toString());
                } finally {
                    client.stop(Duration.ZERO);
                }
            } finally {
                server.stop(Duration.ZERO);
            }
        }
    }
}
