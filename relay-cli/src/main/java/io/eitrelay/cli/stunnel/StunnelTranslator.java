package io.eitrelay.cli.stunnel;

import io.eitrelay.cli.CipherNames;
import io.eitrelay.cli.Converters;
import io.eitrelay.cli.HostFips;
import io.eitrelay.cli.stunnel.StunnelFile.Option;
import io.eitrelay.cli.stunnel.StunnelFile.Service;
import io.eitrelay.cli.stunnel.StunnelSettings.Foreground;
import io.eitrelay.core.config.CipherSuite;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.config.OcspPolicy;
import io.eitrelay.core.config.PeerCheck;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.config.LocalAccess;
import io.eitrelay.core.config.SocketOptions;
import io.eitrelay.core.config.Timeouts;
import io.eitrelay.core.config.TlsSettings;
import io.eitrelay.core.config.TlsVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Translates a {@link StunnelFile} into {@link StunnelSettings}: the same config records the flags
 * produce. Each option keeps stunnel's meaning; every refusal names file, line, the line as written and
 * the reason, in stunnel's words where stunnel has them.
 */
public final class StunnelTranslator {
    private static final String NOT_VALID_HERE = "Specified option name is not valid here";
    /** stunnel's TIMEOUTclose when the file has none: 60 s for the rest of a half-closed connection. */
    static final Duration STUNNEL_CLOSE_TIMEOUT = Duration.ofSeconds(60);

    private StunnelTranslator() {
    }

    public static StunnelSettings translate(StunnelFile file) throws StunnelConfigException {
        return translate(file, HostFips.enabled());
    }

    /** @param hostFips the host runs in FIPS mode: the FIPS policy applies even with {@code fips = no} */
    public static StunnelSettings translate(StunnelFile file, boolean hostFips) throws StunnelConfigException {
        Foreground foreground = Foreground.NO;
        boolean fips = hostFips;
        Optional<Path> pid = Optional.empty();
        Optional<Path> output = Optional.empty();
        int debug = StunnelSettings.DEFAULT_DEBUG;
        List<Option> serviceDefaults = new ArrayList<>();
        for (Option option : file.global()) {
            StunnelKeys.Key key = known(file, option);
            switch (option.key()) {
                case "foreground" -> foreground = foreground(file, option);
                case "pid" -> pid = option.value().isEmpty() ? Optional.empty() : Optional.of(absolute(file, option));
                case "output" -> output = Optional.of(absolute(file, option));
                case "debug" -> debug = debugLevel(file, option);
                case "fips" -> fips |= yesNo(file, option);
                case "socket" -> serviceDefaults.add(option);
                default -> {
                    if (key.scope() == StunnelKeys.Scope.GLOBAL) {
                        throw new StunnelConfigException(file.path(), option.line(), option.text(), NOT_VALID_HERE);
                    }
                    serviceDefaults.add(option);
                }
            }
        }
        if (file.services().isEmpty()) {
            throw new StunnelConfigException(file.path(), "no [service] section: nothing to relay");
        }
        List<EndpointConfig> endpoints = new ArrayList<>();
        for (Service service : file.services()) {
            endpoints.add(endpoint(file, service, serviceDefaults));
        }
        RelayConfig relay = HostFips.apply(new RelayConfig(endpoints, RuntimeOptions.defaults()), fips);
        return new StunnelSettings(relay, foreground, pid, output, debug);
    }

    private static EndpointConfig endpoint(StunnelFile file, Service service, List<Option> defaults)
            throws StunnelConfigException {
        ServiceOptions s = new ServiceOptions();
        List<Option> all = new ArrayList<>(defaults);
        all.addAll(service.options());
        for (Option option : all) {
            StunnelKeys.Key key = known(file, option);
            if (key.scope() == StunnelKeys.Scope.GLOBAL && !option.key().equals("socket")) {
                throw new StunnelConfigException(file.path(), option.line(), option.text(), NOT_VALID_HERE);
            }
            apply(file, option, s);
        }
        if (s.accept == null) {
            throw new StunnelConfigException(file.path(), service.line(), "[" + service.name() + "]",
                    "Service [" + service.name() + "]: 'accept' is required");
        }
        if (s.connect == null) {
            throw new StunnelConfigException(file.path(), service.line(), "[" + service.name() + "]",
                    "Service [" + service.name() + "]: 'connect' is required");
        }
        Mode mode = s.client ? Mode.CLIENT : Mode.SERVER;
        TlsSettings tls = TlsSettings.defaults().withVersions(s.versions()).withCiphers(s.ciphers);
        if (s.caFile != null) {
            tls = tls.withCaFile(s.caFile);
        }
        if (s.cert != null) {
            tls = tls.withKeyPair(new KeyPairFiles(s.cert, s.key != null ? s.key : s.cert));
        } else if (mode == Mode.SERVER) {
            throw new StunnelConfigException(file.path(), service.line(), "[" + service.name() + "]",
                    "Service [" + service.name() + "]: server mode (client = no) needs 'cert'");
        }
        // stunnel checks identity only when checkHost/checkIP says so; verify = 2 alone checks the chain.
        tls = tls.withPeerCheck(s.peerCheck != null ? s.peerCheck : new PeerCheck.ChainOnly());
        if (s.sni != null) {
            tls = tls.withSni(s.sni);
        }
        if (!s.verify) {
            tls = tls.withoutVerification();
        } else if (s.ocspAia) {
            // stunnel queries OCSP only while verifying the chain (ocsp.c: verify_chain), as here.
            tls = tls.withOcsp(OcspPolicy.aia(s.ocspRequire));
        }
        Timeouts base = Timeouts.defaults();
        Timeouts timeouts = new Timeouts(s.connectTimeout != null ? s.connectTimeout : base.connect(),
                s.busyTimeout != null ? s.busyTimeout : base.handshake(),
                s.idleTimeout != null ? s.idleTimeout : base.idle(),
                Optional.of(s.closeTimeout != null ? s.closeTimeout : STUNNEL_CLOSE_TIMEOUT));
        // Mount-style listeners: only what the kernel NFS client looks like (privileged port or root).
        SocketOptions socket = SocketOptions.defaults()
                .withLocalAccess(mode == Mode.CLIENT ? LocalAccess.PRIVILEGED : LocalAccess.ANY);
        // NFS is what helpers tunnel: record marks are followed (and bad streams refused) as with the flags.
        return new EndpointConfig(service.name(), s.accept, s.connect, mode, tls, timeouts, socket,
                RecordFraming.on(RecordFraming.DEFAULT_MAX_RECORD));
    }

    /** Per-service values while options are applied in order (later lines win, as in stunnel). */
    private static final class ServiceOptions {
        boolean client;
        InetSocketAddress accept;
        HostPort connect;
        TlsVersion min;
        TlsVersion max;
        List<CipherSuite> ciphers = List.copyOf(CipherSuite.defaults());
        Path caFile;
        Path cert;
        Path key;
        PeerCheck peerCheck;
        String sni;
        boolean verify = true;
        boolean ocspAia;
        boolean ocspRequire = true;
        Duration connectTimeout;
        Duration busyTimeout;
        Duration idleTimeout;
        Duration closeTimeout;

        EnumSet<TlsVersion> versions() {
            TlsVersion lo = min != null ? min : TlsVersion.TLS_1_2;
            TlsVersion hi = max != null ? max : TlsVersion.TLS_1_3;
            return lo.compareTo(hi) <= 0 ? EnumSet.range(lo, hi) : EnumSet.noneOf(TlsVersion.class);
        }
    }

    private static void apply(StunnelFile file, Option o, ServiceOptions s) throws StunnelConfigException {
        switch (o.key()) {
            case "client" -> s.client = yesNo(file, o);
            case "accept" -> s.accept = accept(file, o);
            case "connect" -> s.connect = connect(file, o);
            case "sslversion" -> {
                s.min = version(file, o, null);
                s.max = version(file, o, null);
                if (o.value().equalsIgnoreCase("all")) {
                    s.min = TlsVersion.TLS_1_2;
                    s.max = TlsVersion.TLS_1_3;
                }
            }
            case "sslversionmin" -> s.min = version(file, o, TlsVersion.TLS_1_2);
            case "sslversionmax" -> s.max = version(file, o, TlsVersion.TLS_1_3);
            case "ciphers" -> s.ciphers = ciphers(file, o);
            case "cafile" -> s.caFile = absolute(file, o);
            case "cert" -> s.cert = absolute(file, o);
            case "key" -> s.key = absolute(file, o);
            case "checkhost" -> s.peerCheck = new PeerCheck.Host(nonEmpty(file, o));
            case "checkip" -> s.peerCheck = new PeerCheck.Ip(ip(file, o));
            case "sni" -> s.sni = nonEmpty(file, o);
            case "verify" -> s.verify = verifyLevel(file, o) > 0;
            case "verifychain", "verifypeer" -> s.verify = s.verify || yesNo(file, o);
            case "timeoutconnect" -> s.connectTimeout = seconds(file, o, false);
            case "timeoutbusy" -> s.busyTimeout = seconds(file, o, false);
            case "timeoutidle" -> s.idleTimeout = seconds(file, o, true);
            case "timeoutclose" -> s.closeTimeout = seconds(file, o, true);
            // Names are resolved at every connection whatever 'delay' says: both values are honoured.
            case "delay" -> yesNo(file, o);
            case "renegotiation" -> requireNo(file, o, "renegotiation is never supported (TLS 1.3 has none)");
            case "libwrap" -> requireNo(file, o, "TCP wrappers are not supported");
            case "ocspaia" -> s.ocspAia = yesNo(file, o);
            case "ocsprequire" -> s.ocspRequire = yesNo(file, o);
            case "socket" -> socketOption(file, o);
            default -> throw new StunnelConfigException(file.path(), o.line(), o.text(), NOT_VALID_HERE);
        }
    }

    private static StunnelKeys.Key known(StunnelFile file, Option o) throws StunnelConfigException {
        StunnelKeys.Key key = StunnelKeys.find(o.key());
        if (key == null) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(), NOT_VALID_HERE);
        }
        return key;
    }

    private static boolean yesNo(StunnelFile file, Option o) throws StunnelConfigException {
        switch (o.value().toLowerCase(Locale.ROOT)) {
            case "yes":
                return true;
            case "no":
                return false;
            default:
                throw new StunnelConfigException(file.path(), o.line(), o.text(),
                        "Argument should be either 'yes' or 'no'");
        }
    }

    private static void requireNo(StunnelFile file, Option o, String why) throws StunnelConfigException {
        if (yesNo(file, o)) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(), why);
        }
    }

    private static Foreground foreground(StunnelFile file, Option o) throws StunnelConfigException {
        switch (o.value().toLowerCase(Locale.ROOT)) {
            case "yes":
                return Foreground.YES;
            case "quiet":
                return Foreground.QUIET;
            case "no":
                return Foreground.NO;
            default:
                throw new StunnelConfigException(file.path(), o.line(), o.text(),
                        "Argument should be either 'yes', 'quiet' or 'no'");
        }
    }

    private static final List<String> LEVELS = List.of("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug");

    private static int debugLevel(StunnelFile file, Option o) throws StunnelConfigException {
        String value = o.value().toLowerCase(Locale.ROOT);
        String level = value.contains(".") ? value.substring(value.indexOf('.') + 1) : value;
        if (level.matches("[0-7]")) {
            return Integer.parseInt(level);
        }
        int index = LEVELS.indexOf(level.equals("error") ? "err" : level.equals("warn") ? "warning" : level);
        if (index < 0) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(), "Illegal debug level");
        }
        return index;
    }

    private static int verifyLevel(StunnelFile file, Option o) throws StunnelConfigException {
        if (!o.value().matches("[0-4]")) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(), "Bad verify level");
        }
        return Integer.parseInt(o.value());
    }

    private static Path absolute(StunnelFile file, Option o) throws StunnelConfigException {
        String value = nonEmpty(file, o);
        Path path;
        try {
            path = Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(), "not a usable file path: " + e.getReason());
        }
        if (!path.isAbsolute()) {
            // stunnel resolves relative paths against its working directory; helpers always write absolute ones.
            path = path.toAbsolutePath();
        }
        return path;
    }

    private static String nonEmpty(StunnelFile file, Option o) throws StunnelConfigException {
        if (o.value().isEmpty()) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(), "Value is empty");
        }
        return o.value();
    }

    /** {@code [host:]port}; a bare port means every address, as in stunnel. */
    private static InetSocketAddress accept(StunnelFile file, Option o) throws StunnelConfigException {
        String value = nonEmpty(file, o);
        try {
            if (value.matches("\\d+")) {
                return new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port(file, o, value));
            }
            HostPort hostPort = Converters.hostPort(value);
            return new InetSocketAddress(InetAddress.getByName(hostPort.host()), hostPort.port());
        } catch (UnknownHostException e) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(), "Cannot resolve '" + e.getMessage() + "'");
        } catch (RuntimeException e) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(), e.getMessage());
        }
    }

    /** {@code [host:]port}; a bare port means localhost; a bare IPv6 takes the port after its last colon. */
    private static HostPort connect(StunnelFile file, Option o) throws StunnelConfigException {
        String value = nonEmpty(file, o);
        try {
            return value.matches("\\d+") ? new HostPort("127.0.0.1", port(file, o, value)) : Converters.hostPort(value);
        } catch (RuntimeException e) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(), e.getMessage());
        }
    }

    /** Whole seconds, as stunnel's TIMEOUT* options; zero only where it means "none". */
    private static Duration seconds(StunnelFile file, Option o, boolean zeroAllowed) throws StunnelConfigException {
        String value = o.value();
        if (!value.matches("\\d{1,9}") || (!zeroAllowed && Long.parseLong(value) == 0)) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(),
                    zeroAllowed ? "Illegal number of seconds" : "Illegal number of seconds (must be at least 1)");
        }
        return Duration.ofSeconds(Long.parseLong(value));
    }

    private static int port(StunnelFile file, Option o, String digits) throws StunnelConfigException {
        int port = digits.length() > 5 ? -1 : Integer.parseInt(digits);
        if (port < 1 || port > 65_535) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(), "Invalid port");
        }
        return port;
    }

    private static InetAddress ip(StunnelFile file, Option o) throws StunnelConfigException {
        try {
            return Converters.ipAddress(nonEmpty(file, o));
        } catch (RuntimeException e) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(), e.getMessage());
        }
    }

    private static TlsVersion version(StunnelFile file, Option o, TlsVersion forAll) throws StunnelConfigException {
        switch (o.value().toLowerCase(Locale.ROOT)) {
            case "tlsv1.2":
                return TlsVersion.TLS_1_2;
            case "tlsv1.3":
                return TlsVersion.TLS_1_3;
            case "all":
                return forAll;
            case "sslv3", "tlsv1", "tlsv1.1":
                throw new StunnelConfigException(file.path(), o.line(), o.text(),
                        o.value() + " is refused: it is broken (RFC 8996); use TLSv1.2 or TLSv1.3");
            default:
                throw new StunnelConfigException(file.path(), o.line(), o.text(), "Invalid protocol version");
        }
    }

    /** OpenSSL cipher list; DEFAULT (AZNFS writes it) means the relay's AEAD defaults. */
    private static List<CipherSuite> ciphers(StunnelFile file, Option o) throws StunnelConfigException {
        if (o.value().equalsIgnoreCase("DEFAULT")) {
            return List.copyOf(CipherSuite.defaults());
        }
        try {
            return CipherNames.parse(o.value(), "ciphers");
        } catch (IllegalArgumentException e) {
            throw new StunnelConfigException(file.path(), o.line(), o.text(), e.getMessage());
        }
    }

    /**
     * {@code l:SO_REUSEADDR=yes} is what the relay does anyway; {@code a:SO_BINDTODEVICE=lo} restricts
     * accepted connections to the loopback device, which a loopback listener is by construction. Anything
     * else is refused rather than silently ignored.
     */
    private static void socketOption(StunnelFile file, Option o) throws StunnelConfigException {
        String value = o.value();
        if (value.equalsIgnoreCase("l:SO_REUSEADDR=yes") || value.equalsIgnoreCase("a:SO_REUSEADDR=yes")
                || value.equalsIgnoreCase("a:SO_BINDTODEVICE=lo") || value.equalsIgnoreCase("r:TCP_NODELAY=1")
                || value.equalsIgnoreCase("l:TCP_NODELAY=1")) {
            return;
        }
        throw new StunnelConfigException(file.path(), o.line(), o.text(),
                "socket option not supported (supported: l:SO_REUSEADDR=yes, a:SO_BINDTODEVICE=lo, l:/r:TCP_NODELAY=1)");
    }
}
