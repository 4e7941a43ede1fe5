package io.eitrelay.cli.stunnel;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The stunnel options this drop-in understands (stunnel-contract.md §2), with the text {@code -help}
 * prints in stunnel's layout. Anything else is refused the way stunnel refuses an unknown option.
 */
public final class StunnelKeys {
    /** Where an option may appear; service options in the global section are defaults for all services. */
    enum Scope { GLOBAL, SERVICE }

    record Key(String name, Scope scope, String help) { }

    static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        global("debug", "[facility].level (e.g. daemon.info)");
        global("fips", "yes|no FIPS 140-2 mode");
        global("foreground", "yes|quiet|no foreground mode (don't fork, log to stderr)");
        global("output", "file to append log messages");
        global("pid", "pid file");
        global("socket", "a|l|r:option=value[:value] set an option on accept/local/remote socket");
        service("accept", "[host:]port accept connections on specified host:port");
        service("CAfile", "certificate authority file");
        service("cert", "certificate chain");
        service("checkHost", "peer certificate host name pattern");
        service("checkIP", "peer certificate IP address");
        service("ciphers", "permitted ciphers for TLS 1.2 or older");
        service("client", "yes|no client mode (remote service uses TLS)");
        service("connect", "[host:]port to connect");
        service("delay", "yes|no delay DNS lookup for 'connect' option");
        service("key", "certificate private key");
        service("libwrap", "yes|no use /etc/hosts.allow and /etc/hosts.deny (only 'no' here)");
        service("OCSPaia", "yes|no check the AIA responders from certificates");
        service("OCSPrequire", "yes|no require a conclusive OCSP response");
        service("renegotiation", "yes|no support TLS renegotiation (only 'no' here)");
        service("sni", "server name indication (client mode)");
        service("sslVersion", "all|TLSv1.2|TLSv1.3 TLS version (min = max)");
        service("sslVersionMax", "all|TLSv1.2|TLSv1.3 maximum TLS version");
        service("sslVersionMin", "all|TLSv1.2|TLSv1.3 minimum TLS version");
        service("TIMEOUTbusy", "seconds to wait for expected data (also bounds the TLS handshake)");
        service("TIMEOUTclose", "seconds to wait for close_notify");
        service("TIMEOUTconnect", "seconds to connect remote host");
        service("TIMEOUTidle", "seconds to keep an idle connection");
        service("verify", "level of peer certificate verification (0-4)");
        service("verifyChain", "yes|no verify certificate chain");
        service("verifyPeer", "yes|no verify peer certificate");
    }

    private StunnelKeys() {
    }

    private static void global(String name, String help) {
        KEYS.put(name.toLowerCase(Locale.ROOT), new Key(name, Scope.GLOBAL, help));
    }

    private static void service(String name, String help) {
        KEYS.put(name.toLowerCase(Locale.ROOT), new Key(name, Scope.SERVICE, help));
    }

    static Key find(String lowerCaseName) {
        return KEYS.get(lowerCaseName);
    }

    /** The {@code -help} listing: stunnel's two headings and one {@code %-22s = description} line per option. */
    public static String helpText() {
        StringBuilder text = new StringBuilder("\nGlobal options:\n");
        KEYS.values().stream().filter(k -> k.scope() == Scope.GLOBAL)
                .forEach(k -> text.append(String.format("%-22s = %s%n", k.name(), k.help())));
        text.append("\nService-level options:\n");
        KEYS.values().stream().filter(k -> k.scope() == Scope.SERVICE)
                .forEach(k -> text.append(String.format("%-22s = %s%n", k.name(), k.help())));
        return text.toString();
    }
}
