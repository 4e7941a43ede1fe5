package io.eitrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.CipherSuite;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.config.PeerCheck;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.config.TlsVersion;
import io.eitrelay.testing.TestPki;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Flags become the same config records the stunnel front end builds; bad flags fail naming flag and value. */
class FlagsTest {
    @TempDir
    Path dir;

    static RelayConfig parse(String... args) {
        RelayFlags flags = new RelayFlags();
        new CommandLine(new Object() {
            @CommandLine.Mixin
            RelayFlags mixin = flags;
        }).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return FlagsToConfig.build(flags);
    }

    @Test
    void clientFlagsBuildTheEndpointRecord() throws Exception {
        TestPki pki = new TestPki(dir);
        KeyPairFiles client = pki.issue("client", r -> r);
        RelayConfig config = parse("--listen", "127.0.0.1:20049", "--target", "fs-1.example:2049",
                "--cafile", pki.caFile().toString(), "--check-host", "fs-1.example", "--sni", "sni.example",
                "--cert", client.certificateChain().toString(), "--key", client.privateKey().toString(),
                "--tls-version", "1.2", "--ciphers", "ECDHE-RSA-AES256-GCM-SHA384:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "--connect-timeout", "3s", "--handshake-timeout", "500ms", "--idle-timeout", "70",
                "--transport", "nio", "--tls-provider", "JDK");
        EndpointConfig e = config.endpoints().get(0);
        assertEquals("127.0.0.1:20049", e.name());
        assertTrue(e.listen().getAddress() instanceof Inet4Address);
        assertEquals(20049, e.listen().getPort());
        assertEquals(new HostPort("fs-1.example", 2049), e.target());
        assertEquals(Mode.CLIENT, e.mode());
        assertEquals(Set.of(TlsVersion.TLS_1_2), e.tls().versions());
        assertEquals(List.of(CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), e.tls().ciphers());
        assertEquals(Optional.of(pki.caFile()), e.tls().caFile());
        assertEquals(new PeerCheck.Host("fs-1.example"), e.tls().peerCheck());
        assertEquals(Optional.of("sni.example"), e.tls().sni());
        assertEquals(Optional.of(client), e.tls().keyPair());
        assertTrue(e.tls().verifyPeer());
        assertEquals(Duration.ofSeconds(3), e.timeouts().connect());
        assertEquals(Duration.ofMillis(500), e.timeouts().handshake());
        assertEquals(Duration.ofSeconds(70), e.timeouts().idle());
        assertEquals(TransportChoice.NIO, config.runtime().transport());
        assertEquals(ProviderChoice.JDK, config.runtime().provider());
    }

    @Test
    void defaultsAreSafe() {
        RelayConfig config = parse("--listen", "127.0.0.1:20049", "--target", "10.0.0.1:2049");
        assertEquals(java.time.Duration.ofSeconds(1), config.runtime().tlsFileCheck(), "rotated files picked up by themselves");
        EndpointConfig e = config.endpoints().get(0);
        assertTrue(e.tls().verifyPeer(), "verification is on unless --no-verify");
        assertEquals(Set.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), e.tls().versions());
        assertEquals(List.copyOf(CipherSuite.defaults()), e.tls().ciphers());
        assertEquals(new PeerCheck.TargetHost(), e.tls().peerCheck());
        assertTrue(e.socket().keepAlive());
        assertEquals(java.time.Duration.ofSeconds(30), e.socket().tcpUserTimeout(), "a silent target with data in flight: 30 s");
        assertEquals(java.time.Duration.ofSeconds(30), e.socket().keepAliveBound(), "an idle one: 10 s + 4 probes 5 s apart");
    }

    @ParameterizedTest(name = "--dead-target-timeout {0}")
    @CsvSource({"3s, 1, 1, 2", "7s, 2, 1, 5", "30s, 10, 5, 4", "2m, 40, 20, 4"})
    void deadTargetTimeoutBoundsBothKeepaliveAndUnacknowledgedData(String flag, int idle, int interval, int count) {
        io.eitrelay.core.config.SocketOptions socket = parse("--listen", "127.0.0.1:1", "--target", "x:2049",
                "--dead-target-timeout", flag).endpoints().get(0).socket();
        assertEquals(List.of(idle, interval, count), List.of((int) socket.keepAliveIdle().toSeconds(),
                (int) socket.keepAliveInterval().toSeconds(), socket.keepAliveCount()));
        assertEquals(Converters.duration(flag), socket.tcpUserTimeout());
        assertTrue(socket.keepAliveBound().compareTo(socket.tcpUserTimeout()) <= 0, socket.toString());
    }

    @Test
    void localAccessIsAnyByDefaultAndPrivilegedOnRequest() {
        assertEquals(io.eitrelay.core.config.LocalAccess.ANY,
                parse("--listen", "127.0.0.1:1", "--target", "x:2049").endpoints().get(0).socket().localAccess());
        assertEquals(io.eitrelay.core.config.LocalAccess.PRIVILEGED, parse("--listen", "127.0.0.1:1", "--target", "x:2049",
                "--local-access", "privileged").endpoints().get(0).socket().localAccess());
    }

    @Test
    void rpcFramingIsOnByDefaultWithACapAndCanBeTurnedOff() {
        assertEquals(io.eitrelay.core.config.RecordFraming.on(io.eitrelay.core.config.RecordFraming.DEFAULT_MAX_RECORD),
                parse("--listen", "127.0.0.1:1", "--target", "x:2049").endpoints().get(0).framing());
        assertEquals(io.eitrelay.core.config.RecordFraming.on(4096), parse("--listen", "127.0.0.1:1", "--target", "x:2049",
                "--max-record-size", "4096").endpoints().get(0).framing());
        assertEquals(io.eitrelay.core.config.RecordFraming.off(), parse("--listen", "127.0.0.1:1", "--target", "x:2049",
                "--no-rpc-framing").endpoints().get(0).framing());
        CliRun bad = CliRun.of("--listen", "127.0.0.1:1", "--target", "x:2049", "--rpc-framing", "--max-record-size", "0");
        assertEquals(ExitCodes.CONFIG_ERROR, bad.exitCode());
        assertTrue(bad.err().contains("--max-record-size must be at least 1 but was 0"), bad.err());
    }

    @Test
    void ocspIsOffByDefaultAndRequireOrPreferOnRequest() {
        assertEquals(io.eitrelay.core.config.OcspPolicy.OFF,
                parse("--listen", "127.0.0.1:1", "--target", "x:2049").endpoints().get(0).tls().ocsp());
        assertEquals(io.eitrelay.core.config.OcspPolicy.aia(true), parse("--listen", "127.0.0.1:1", "--target", "x:2049",
                "--ocsp", "require").endpoints().get(0).tls().ocsp());
        assertEquals(io.eitrelay.core.config.OcspPolicy.aia(false), parse("--listen", "127.0.0.1:1", "--target", "x:2049",
                "--ocsp", "prefer").endpoints().get(0).tls().ocsp());
        CliRun bad = CliRun.of("--listen", "127.0.0.1:1", "--target", "x:2049", "--ocsp", "sometimes");
        assertEquals(ExitCodes.CONFIG_ERROR, bad.exitCode());
        assertTrue(bad.err().contains("--ocsp") && bad.err().contains("must be off, require or prefer but was 'sometimes'"), bad.err());
        CliRun unverified = CliRun.of("--listen", "127.0.0.1:1", "--target", "x:2049", "--ocsp", "require", "--no-verify");
        assertEquals(ExitCodes.CONFIG_ERROR, unverified.exitCode());
        assertTrue(unverified.err().contains("--ocsp needs verification"), unverified.err());
    }

    @Test
    void pairsOfListenAndTargetMakeSeveralEndpoints() {
        RelayConfig config = parse("--listen", "127.0.1.1:12049", "--target", "192.0.2.1:2049",
                "--listen", "[::1]:12050", "--target", "[fd00::1]:2049", "--no-verify");
        assertEquals(2, config.endpoints().size());
        assertEquals(InetAddress.getLoopbackAddress().getClass(), config.endpoints().get(0).listen().getAddress().getClass());
        assertEquals(new HostPort("fd00::1", 2049), config.endpoints().get(1).target());
        assertFalse(config.endpoints().get(1).tls().verifyPeer());
    }

    @Test
    void bareIpv6TargetTakesThePortAfterTheLastColon() {
        // efs-utils writes IPv6 targets without brackets: fd00:ec2::23:2049
        assertEquals(new HostPort("fd00:ec2::23", 2049), Converters.hostPort("fd00:ec2::23:2049"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--listen localhost:20049 --target x:2049 | --listen' (IP:PORT): must be 'IP:PORT' with an IP address (e.g. 127.0.0.1:20049) but was 'localhost:20049'",
            "--listen 127.0.0.1:99999 --target x:2049 | port must be 0..65535 in '127.0.0.1:99999'",
            "--listen 127.0.0.1:1 --target x | --target' (HOST:PORT): must be 'HOST:PORT' but was 'x'",
            "--listen 127.0.0.1:1 --target x:2049 --tls-version 1.1 | TLS 1.1 is refused",
            "--listen 127.0.0.1:1 --target x:2049 --ciphers AES128-SHA256 | --ciphers: cipher 'AES128-SHA256' is refused: not an AEAD suite",
            "--listen 127.0.0.1:1 --target x:2049 --ciphers FOO-BAR | --ciphers: unknown cipher 'FOO-BAR'",
            "--listen 127.0.0.1:1 --target x:2049 --connect-timeout soon | --connect-timeout': must be a duration like 500ms, 10s, 5m or 12h but was 'soon'",
            "--listen 127.0.0.1:1 --target x:2049 --cafile /no/such/ca.pem | --cafile /no/such/ca.pem: no such file",
            "--listen 127.0.0.1:1 --target x:2049 --listen 127.0.0.1:2 | --listen and --target come in pairs, but there are 2 --listen and 1 --target",
            "--server --listen 127.0.0.1:1 --target x:2049 | --server needs --cert",
            "--listen 127.0.0.1:1 --target x:2049 --check-host a --check-ip 127.0.0.1 | mutually exclusive",
            "--listen 127.0.0.1:1 --target x:2049 --bogus | Unknown option: '--bogus'",
            "--target x:2049 | --listen and --target are required",
            "--listen 127.0.0.1:1 --target x:2049 --local-access root | --local-access': expected one of [ANY, PRIVILEGED] (case-insensitive) but was 'root'",
            "--listen 127.0.0.1:1 --target x:2049 --dead-target-timeout 2s | --dead-target-timeout: dead-target bound must be 3s..60m but was 2s",
            "--listen 127.0.0.1:1 --target x:2049 --dead-target-timeout 2h | --dead-target-timeout: dead-target bound must be 3s..60m but was 7200s",
            "--listen 127.0.0.1:1 --target x:2049 --metrics-listen 0.0.0.0:9100 | --metrics-listen 0.0.0.0:9100 is not a loopback address",
    })
    void badFlagsExitTwoNamingFlagAndValue(String args, String expected) {
        CliRun run = CliRun.of(args.trim().split(" "));
        assertEquals(ExitCodes.CONFIG_ERROR, run.exitCode(), run.err());
        assertTrue(run.err().contains(expected), "expected '" + expected + "' in: " + run.err());
    }

    @Test
    void checkLoadsCertificatesAndReportsTheBadFile() throws Exception {
        TestPki pki = new TestPki(dir);
        KeyPairFiles server = pki.server();
        CliRun ok = CliRun.of("--server", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:2049",
                "--cert", server.certificateChain().toString(), "--key", server.privateKey().toString(), "--check");
        assertEquals(ExitCodes.OK, ok.exitCode(), ok.err());
        assertTrue(ok.out().contains("configuration OK (1 endpoint)"), ok.out());

        // A certificate given as the key: loading fails at --check, naming the file.
        CliRun bad = CliRun.of("--server", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:2049",
                "--cert", server.certificateChain().toString(), "--key", server.certificateChain().toString(), "--check");
        assertEquals(ExitCodes.CONFIG_ERROR, bad.exitCode());
        assertTrue(bad.err().contains(server.certificateChain() + ": no PEM private key"), bad.err());
    }

    @Test
    void versionAndHelpExitZero() {
        CliRun version = CliRun.of("--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("eit-relay 0."), version.out());
        CliRun help = CliRun.of("--help");
        assertEquals(0, help.exitCode());
        for (String flag : List.of("--listen", "--target", "--server", "--cafile", "--check-host", "--check-ip", "--sni",
                "--cert", "--key", "--tls-version", "--ciphers", "--ocsp", "--no-verify", "--check", "demo", "Exit codes")) {
            assertTrue(help.out().contains(flag), flag + " missing from --help");
        }
    }
}
