package io.eitrelay.cli.stunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.cli.stunnel.StunnelSettings.Foreground;
import io.eitrelay.core.config.CipherSuite;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.config.OcspPolicy;
import io.eitrelay.core.config.PeerCheck;
import io.eitrelay.core.config.TlsVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The configs mount helpers write (../shared/stunnel-corpus, copied into test resources) translate to
 * the records a user would expect, field by field.
 */
class StunnelCorpusTest {
    static StunnelSettings load(String name) throws Exception {
        return StunnelTranslator.translate(StunnelFile.read(corpus(name)), false);
    }

    static Path corpus(String name) throws URISyntaxException {
        return Path.of(StunnelCorpusTest.class.getResource("/stunnel-corpus/" + name).toURI());
    }

    @Test
    void efsUtilsTls() throws Exception {
        assertFalse(Files.readString(corpus("efs-utils-tls.conf")).endsWith("\n"), "the corpus file ends without a newline");
        StunnelSettings s = load("efs-utils-tls.conf");
        assertEquals(Foreground.QUIET, s.foreground());
        assertEquals(Optional.of(Path.of("/var/run/efs/fs-deadbeef.mnt.efs.20123+/stunnel.pid")), s.pidFile());
        assertEquals(Optional.empty(), s.output());
        assertEquals(StunnelSettings.DEFAULT_DEBUG, s.debugLevel());
        EndpointConfig e = single(s);
        assertEquals("efs", e.name());
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 20123), e.listen());
        assertEquals(new HostPort("us-east-1a.fs-deadbeef.efs.us-east-1.amazonaws.com", 2049), e.target());
        assertEquals(Mode.CLIENT, e.mode());
        assertEquals(Set.of(TlsVersion.TLS_1_2), e.tls().versions());
        assertEquals(Optional.of(Path.of("/etc/amazon/efs/efs-utils.crt")), e.tls().caFile());
        assertEquals(new PeerCheck.Host("fs-deadbeef.efs.us-east-1.amazonaws.com"), e.tls().peerCheck());
        assertEquals(Optional.of(new KeyPairFiles(Path.of("/var/run/efs/fs-deadbeef.mnt.efs.20123+/certificate.pem"),
                Path.of("/etc/amazon/efs/privateKey.pem"))), e.tls().keyPair());
        assertEquals(Optional.empty(), e.tls().sni());
        assertTrue(e.tls().verifyPeer());
        assertEquals(OcspPolicy.OFF, e.tls().ocsp(), "no OCSPaia: no OCSP queries (stunnel's default)");
        assertEquals(Duration.ofSeconds(70), e.timeouts().idle());
        assertEquals(Duration.ofSeconds(20), e.timeouts().handshake(), "TIMEOUTbusy bounds the handshake");
        assertEquals(Optional.of(Duration.ZERO), e.timeouts().closing(), "TIMEOUTclose = 0: closed at the first FIN");
        assertEquals(io.eitrelay.core.config.LocalAccess.PRIVILEGED, e.socket().localAccess(),
                "a mount's listener admits what the kernel NFS client looks like");
        assertEquals(List.copyOf(CipherSuite.defaults()), e.tls().ciphers());
        assertEquals(io.eitrelay.core.config.RecordFraming.on(io.eitrelay.core.config.RecordFraming.DEFAULT_MAX_RECORD),
                e.framing(), "NFS through a drop-in: record marks followed");
    }

    @Test
    void efsUtilsIpv6WithSni() throws Exception {
        EndpointConfig e = single(load("efs-utils-ipv6-sni.conf"));
        assertEquals(new HostPort("fd00:ec2::23", 2049), e.target(), "bare IPv6 written by efs-utils");
        assertEquals(Optional.of("fs-cafe1234.efs.eu-west-1.amazonaws.com"), e.tls().sni());
        assertEquals(new PeerCheck.Host("fs-cafe1234.efs.eu-west-1.amazonaws.com"), e.tls().peerCheck());
        assertEquals(20050, e.listen().getPort());
    }

    @Test
    void efsUtilsOcspDebug() throws Exception {
        StunnelSettings s = load("efs-utils-ocsp-debug.conf");
        assertEquals(Foreground.YES, s.foreground());
        assertEquals(7, s.debugLevel());
        assertEquals(Optional.of(Path.of("/var/log/amazon/efs/fs-deadbeef.mnt.efs.20777.stunnel.log")), s.output());
        assertEquals(new HostPort("fs-deadbeef.efs.us-west-2.amazonaws.com", 2049), single(s).target());
        assertEquals(OcspPolicy.aia(true), single(s).tls().ocsp(), "OCSPaia = yes; OCSPrequire defaults to yes");
    }

    @Test
    void aznfsGlobalDefaultsApplyToTheService() throws Exception {
        StunnelSettings s = load("aznfs-tls12.conf");
        assertEquals(Foreground.NO, s.foreground(), "AZNFS writes no foreground key: daemon mode");
        assertEquals(6, s.debugLevel());
        assertEquals(Optional.of(Path.of("/etc/stunnel/microsoft/aznfs/nfsv4_fileShare/logs/stunnel_10.0.4.17.pid")), s.pidFile());
        EndpointConfig e = single(s);
        assertEquals("10.0.4.17", e.name());
        assertEquals(Optional.of(Path.of("/etc/ssl/certs/DigiCert_Global_Root_G2.pem")), e.tls().caFile(), "CAFile with a capital F");
        assertEquals(new PeerCheck.Host("*.file.core.windows.net"), e.tls().peerCheck());
        assertEquals(Set.of(TlsVersion.TLS_1_2), e.tls().versions());
        assertEquals(Duration.ofSeconds(61), e.timeouts().idle());
        assertEquals(Optional.of(Duration.ofSeconds(60)), e.timeouts().closing(), "stunnel's TIMEOUTclose default");
        assertEquals(new HostPort("10.0.4.17", 2049), e.target());
        assertEquals(Optional.empty(), e.tls().keyPair());
    }

    @Test
    void aznfsTls13WithDefaultCiphers() throws Exception {
        EndpointConfig e = single(load("aznfs-tls13-azurelinux.conf"));
        assertEquals(Set.of(TlsVersion.TLS_1_3), e.tls().versions());
        assertEquals(List.copyOf(CipherSuite.defaults()), e.tls().ciphers(), "ciphers = DEFAULT");
        assertEquals(20050, e.listen().getPort());
    }

    @Test
    void alinasLoopbackAliasAndOpenSslCipherName() throws Exception {
        StunnelSettings s = load("alinas.conf");
        assertEquals(Foreground.YES, s.foreground());
        assertEquals(Optional.empty(), s.pidFile());
        EndpointConfig e = single(s);
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.1.1"), 12049), e.listen());
        assertEquals(List.of(CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384), e.tls().ciphers());
        assertEquals(new PeerCheck.Host("192.168.0.201"), e.tls().peerCheck(),
                "checkHost with an IP value is a host-name check, as X509_check_host does");
    }

    private static EndpointConfig single(StunnelSettings settings) {
        assertEquals(1, settings.relay().endpoints().size());
        return settings.relay().endpoints().get(0);
    }
}
