package io.eitrelay.cli;

import io.eitrelay.core.config.CipherSuite;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.config.PeerCheck;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.config.SocketOptions;
import io.eitrelay.core.config.Timeouts;
import io.eitrelay.core.config.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/** Builds the {@link RelayConfig} from the flags; every error names the flag and the value. */
final class FlagsToConfig {
    private FlagsToConfig() {
    }

    static RelayConfig build(RelayFlags flags) {
        if (flags.listen.isEmpty() || flags.target.isEmpty()) {
            throw new IllegalArgumentException("--listen and --target are required (e.g. --listen 127.0.0.1:20049 "
                    + "--target fs.example:2049), or run 'eit-relay demo'");
        }
        if (flags.listen.size() != flags.target.size()) {
            throw new IllegalArgumentException("--listen and --target come in pairs, but there are " + flags.listen.size()
                    + " --listen and " + flags.target.size() + " --target");
        }
        Mode mode = flags.server ? Mode.SERVER : Mode.CLIENT;
        TlsSettings tls = tls(flags.tls, mode);
        Timeouts timeouts;
        try {
            timeouts = new Timeouts(flags.connectTimeout, flags.handshakeTimeout, flags.idleTimeout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--connect-timeout/--handshake-timeout: " + e.getMessage(), e);
        }
        if (flags.maxRecordSize < 1) {
            throw new IllegalArgumentException("--max-record-size must be at least 1 but was " + flags.maxRecordSize);
        }
        SocketOptions socket;
        try {
            socket = SocketOptions.defaults().withLocalAccess(flags.localAccess).withPreferFamily(flags.preferFamily)
                    .withDeadTargetBound(flags.deadTargetTimeout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--dead-target-timeout: " + e.getMessage(), e);
        }
        RecordFraming framing = flags.rpcFraming ? RecordFraming.on(flags.maxRecordSize) : RecordFraming.off();
        List<EndpointConfig> endpoints = new ArrayList<>();
        for (int i = 0; i < flags.listen.size(); i++) {
            String name = display(flags.listen.get(i));
            endpoints.add(new EndpointConfig(name, flags.listen.get(i), flags.target.get(i), mode, tls, timeouts,
                    socket, framing));
        }
        RuntimeOptions runtime = flags.runtime.toOptions();
        return HostFips.apply(new RelayConfig(endpoints, runtime), flags.fips || HostFips.enabled());
    }

    static TlsSettings tls(TlsFlags flags, Mode mode) {
        TlsSettings tls = TlsSettings.defaults();
        if (!flags.tlsVersions.isEmpty()) {
            tls = tls.withVersions(EnumSet.copyOf(flags.tlsVersions));
        }
        if (flags.ciphers != null) {
            List<CipherSuite> suites = CipherNames.parse(flags.ciphers, "--ciphers");
            tls = tls.withCiphers(suites);
        }
        if (flags.caFile != null) {
            tls = tls.withCaFile(readable(flags.caFile, "--cafile"));
        }
        if (flags.key != null && flags.cert == null) {
            throw new IllegalArgumentException("--key " + flags.key + " needs --cert as well");
        }
        if (flags.cert != null) {
            Path key = flags.key != null ? flags.key : flags.cert;
            tls = tls.withKeyPair(new KeyPairFiles(readable(flags.cert, "--cert"), readable(key, "--key")));
        } else if (mode == Mode.SERVER) {
            throw new IllegalArgumentException("--server needs --cert (and --key unless the --cert file holds the key)");
        }
        if (flags.peerCheck != null) {
            if (mode == Mode.SERVER) {
                throw new IllegalArgumentException("--check-host/--check-ip apply to client mode only");
            }
            tls = tls.withPeerCheck(flags.peerCheck.host != null ? new PeerCheck.Host(flags.peerCheck.host)
                    : new PeerCheck.Ip(flags.peerCheck.ip));
        }
        if (flags.sni != null) {
            tls = tls.withSni(flags.sni);
        }
        if (flags.noVerify) {
            if (flags.ocsp.queryAia()) {
                throw new IllegalArgumentException("--ocsp needs verification: it cannot go with --no-verify");
            }
            tls = tls.withoutVerification();
        }
        return tls.withOcsp(flags.ocsp);
    }

    private static Path readable(Path file, String flag) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(flag + " " + file + ": " + (Files.exists(file) ? "not readable" : "no such file"));
        }
        return file;
    }

    private static String display(java.net.InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
