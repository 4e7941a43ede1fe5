package io.eitrelay.cli;

import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.OcspPolicy;
import io.eitrelay.core.config.TlsVersion;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Flag value converters; each error says what was expected and echoes what was given. */
public final class Converters {
    /** At most 9 digits: 999999999d is already beyond any timeout, and the amount cannot overflow a long. */
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)?");

    private Converters() {
    }

    /** {@code HOST:PORT}, {@code [V6]:PORT}, or a bare IPv6 literal with the port after its last colon (as efs-utils writes). */
    public static HostPort hostPort(String value) {
        String[] parts = split(value);
        int port = port(parts[1], value);
        if (port == 0) {
            throw new TypeConversionException("port must be 1..65535 in '" + value + "'");
        }
        return new HostPort(parts[0], port);
    }

    /** Host and port text of {@code HOST:PORT}, {@code [V6]:PORT} or {@code V6:PORT}. */
    private static String[] split(String value) {
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf("]:");
            if (close < 0) {
                throw new TypeConversionException("must be 'HOST:PORT' or '[IPv6]:PORT' but was '" + value + "'");
            }
            host = value.substring(1, close);
            port = value.substring(close + 2);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon <= 0) {
                throw new TypeConversionException("must be 'HOST:PORT' but was '" + value + "'");
            }
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
        }
        return new String[] {host, port};
    }

    /** An IP literal and a port: listeners bind addresses, not names. */
    public static InetSocketAddress listenAddress(String value) {
        String[] parts = split(value);
        int port = port(parts[1], value);
        byte[] raw = NetUtil.createByteArrayFromIpAddressString(parts[0]);
        if (raw == null) {
            throw new TypeConversionException("must be 'IP:PORT' with an IP address (e.g. 127.0.0.1:20049) but was '"
                    + value + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(raw), port);
        } catch (UnknownHostException e) {
            throw new TypeConversionException("not a usable IP address: '" + value + "'");
        }
    }

    public static InetAddress ipAddress(String value) {
        byte[] raw = NetUtil.createByteArrayFromIpAddressString(value);
        if (raw == null) {
            throw new TypeConversionException("must be an IP address but was '" + value + "'");
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new TypeConversionException("not a usable IP address: '" + value + "'");
        }
    }

    /** {@code 500ms}, {@code 10s}, {@code 5m}, {@code 12h}, {@code 1d}; a bare number is seconds (as stunnel's TIMEOUT* keys). */
    /** A file path as picocli would make it, with the JDK's reason instead of its exception when it cannot. */
    static java.nio.file.Path path(String value) {
        try {
            return java.nio.file.Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new TypeConversionException("not a usable file path: " + e.getReason());
        }
    }

    static Duration duration(String value) {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("must be a duration like 500ms, 10s, 5m or 12h but was '" + value + "'");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        switch (unit) {
            case "ms":
                return Duration.ofMillis(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            case "d":
                return Duration.ofDays(amount);
            default:
                return Duration.ofSeconds(amount);
        }
    }

    /** {@code 1.2}, {@code 1.3}, or stunnel's {@code TLSv1.2} / {@code TLSv1.3}. Older versions are refused by name. */
    static TlsVersion tlsVersion(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace("tlsv", "");
        switch (v) {
            case "1.2":
                return TlsVersion.TLS_1_2;
            case "1.3":
                return TlsVersion.TLS_1_3;
            case "1", "1.0", "1.1":
                throw new TypeConversionException("TLS " + v + " is refused: it is broken (RFC 8996); use 1.2 or 1.3, was '"
                        + value + "'");
            default:
                throw new TypeConversionException("must be 1.2 or 1.3 but was '" + value + "'");
        }
    }

    private static int port(String text, String whole) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new TypeConversionException("port must be 0..65535 in '" + whole + "'");
    }

    static final class HostPortConverter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            return hostPort(value);
        }
    }

    static final class ListenConverter implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            return listenAddress(value);
        }
    }

    static final class IpConverter implements ITypeConverter<InetAddress> {
        @Override
        public InetAddress convert(String value) {
            return ipAddress(value);
        }
    }

    static final class LogLevelConverter implements ITypeConverter<LogLevel> {
        @Override
        public LogLevel convert(String value) {
            return LogLevel.parse(value);
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return duration(value);
        }
    }

    static final class TlsVersionConverter implements ITypeConverter<TlsVersion> {
        @Override
        public TlsVersion convert(String value) {
            return tlsVersion(value);
        }
    }

    /** {@code --ocsp}: off, require (stunnel OCSPaia with OCSPrequire = yes) or prefer (OCSPrequire = no). */
    static OcspPolicy ocsp(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "off":
                return OcspPolicy.OFF;
            case "require":
                return OcspPolicy.aia(true);
            case "prefer":
                return OcspPolicy.aia(false);
            default:
                throw new TypeConversionException("must be off, require or prefer but was '" + value + "'");
        }
    }

    static final class OcspConverter implements ITypeConverter<OcspPolicy> {
        @Override
        public OcspPolicy convert(String value) {
            return ocsp(value);
        }
    }
}
