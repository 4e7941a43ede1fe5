package io.eitrelay.core.tls;

import java.util.Locale;

/**
 * Matches a host name against a certificate's DNS name, as OpenSSL's {@code X509_check_host} does
 * (what stunnel's {@code checkHost} uses): case-insensitive; a wildcard only in the left-most label
 * (RFC 6125 §6.4.3), covering exactly one label, never a public-suffix-like {@code *.com}; partial
 * wildcards ({@code fs*.example}) allowed except on IDNA A-labels ({@code xn--}).
 */
final class HostnameMatcher {
    private HostnameMatcher() {
    }

    static boolean matches(String pattern, String host) {
        String p = normalize(pattern);
        String h = normalize(host);
        if (p.isEmpty() || h.isEmpty()) {
            return false;
        }
        int star = p.indexOf('*');
        if (star < 0) {
            return p.equals(h);
        }
        int patternDot = p.indexOf('.');
        // The wildcard must sit in the first label, alone, and at least two labels must follow it.
        if (patternDot < 0 || star > patternDot || p.indexOf('*', star + 1) >= 0
                || p.indexOf('.', patternDot + 1) < 0) {
            return false;
        }
        int hostDot = h.indexOf('.');
        if (hostDot <= 0 || !p.substring(patternDot).equals(h.substring(hostDot))) {
            return false;
        }
        String patternLabel = p.substring(0, patternDot);
        String hostLabel = h.substring(0, hostDot);
        String prefix = patternLabel.substring(0, star);
        String suffix = patternLabel.substring(star + 1);
        if (!prefix.isEmpty() || !suffix.isEmpty()) {
            if (hostLabel.startsWith("xn--") || prefix.startsWith("xn--")) {
                return false;
            }
        }
        return hostLabel.length() >= prefix.length() + suffix.length()
                && hostLabel.startsWith(prefix) && hostLabel.endsWith(suffix);
    }

    private static String normalize(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
