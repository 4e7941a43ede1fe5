package io.eitrelay.cli;

import io.eitrelay.core.config.OcspPolicy;
import io.eitrelay.core.config.TlsVersion;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** TLS flags shared by the relay and the probe; {@link FlagsToConfig#tls} turns them into TlsSettings. */
final class TlsFlags {
    @Option(names = "--cafile", paramLabel = "FILE",
            description = "Trusted CA certificates (PEM). Client mode: default is the system trust store. "
                    + "Server mode: require client certificates from these CAs.")
    Path caFile;

    @ArgGroup(exclusive = true)
    PeerCheckFlags peerCheck;

    static final class PeerCheckFlags {
        @Option(names = "--check-host", paramLabel = "NAME",
                description = "Host name the server certificate must carry (default: the target host).")
        String host;

        @Option(names = "--check-ip", paramLabel = "IP", converter = Converters.IpConverter.class,
                description = "IP address the server certificate must carry.")
        InetAddress ip;
    }

    @Option(names = "--sni", paramLabel = "NAME", description = "Server name sent in the handshake (default: the target host).")
    String sni;

    @Option(names = "--cert", paramLabel = "FILE", description = "Our certificate chain (PEM); required in server mode.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "Our private key (PEM: PKCS#1, PKCS#8 or SEC1; default: the --cert file).")
    Path key;

    @Option(names = "--tls-version", paramLabel = "1.2|1.3", converter = Converters.TlsVersionConverter.class,
            description = "Pin the TLS version (repeat to allow both; default: 1.2 and 1.3).")
    List<TlsVersion> tlsVersions = new ArrayList<>();

    @Option(names = "--ciphers", paramLabel = "LIST",
            description = "TLS 1.2 suites, OpenSSL or IANA names separated by ':' (AEAD only).")
    String ciphers;

    @Option(names = "--ocsp", paramLabel = "off|require|prefer", converter = Converters.OcspConverter.class,
            description = "Check the peer's chain with the OCSP responders its certificates name (as stunnel OCSPaia): "
                    + "require refuses a peer without a conclusive answer, prefer lets it through with a warning "
                    + "(default: off). A revoked certificate is always refused.")
    OcspPolicy ocsp = OcspPolicy.OFF;

    @Option(names = "--no-verify", description = "Do not verify the server certificate (encrypts, but does not authenticate).")
    boolean noVerify;
}
