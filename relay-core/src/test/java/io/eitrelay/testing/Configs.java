package io.eitrelay.testing;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.config.PeerCheck;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.config.SocketOptions;
import io.eitrelay.core.config.Timeouts;
import io.eitrelay.core.config.TlsSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Endpoint configs for tests: loopback, port 0, short timeouts. */
public final class Configs {
    private Configs() {
    }

    public static Timeouts testTimeouts() {
        return new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofMinutes(2));
    }

    public static EndpointConfig server(int targetPort, KeyPairFiles keyPair) {
        return new EndpointConfig("server", loopback(0), new HostPort("127.0.0.1", targetPort), Mode.SERVER,
                TlsSettings.defaults().withKeyPair(keyPair), testTimeouts(), SocketOptions.defaults());
    }

    /** A client endpoint toward 127.0.0.1:{@code port} that trusts {@code caFile} and checks relay.test. */
    public static EndpointConfig client(int port, Path caFile) {
        return new EndpointConfig("client", loopback(0), new HostPort("127.0.0.1", port), Mode.CLIENT,
                TlsSettings.defaults().withCaFile(caFile).withPeerCheck(new PeerCheck.Host(TestPki.SERVER_NAME)),
                testTimeouts(), SocketOptions.defaults());
    }

    public static RelayConfig relay(EndpointConfig endpoint, TransportChoice transport, ProviderChoice provider) {
        return new RelayConfig(List.of(endpoint), new RuntimeOptions(transport, provider, Duration.ofSeconds(2)));
    }

    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
