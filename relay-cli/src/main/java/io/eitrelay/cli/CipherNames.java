package io.eitrelay.cli;

import io.eitrelay.core.config.CipherSuite;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Maps cipher names as users write them (OpenSSL's {@code ECDHE-RSA-AES128-GCM-SHA256}, as in stunnel
 * files, or IANA's {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}) to the suites the relay supports.
 * Non-AEAD suites are refused with that reason, not as unknown.
 */
public final class CipherNames {
    /** Names of suites that exist but are not AEAD: CBC mode, RC4, 3DES, NULL. */
    private static final Pattern NON_AEAD = Pattern.compile(".*(CBC|RC4|3DES|DES-|NULL|MD5|-SHA$|-SHA256$|-SHA384$|_SHA$).*");

    private CipherNames() {
    }

    /** Parses a list separated by ':' (OpenSSL style), ',' or spaces. */
    public static List<CipherSuite> parse(String list, String flag) {
        List<CipherSuite> suites = new ArrayList<>();
        for (String name : list.split("[:,\\s]+")) {
            if (!name.isEmpty()) {
                suites.add(lookup(name, flag));
            }
        }
        if (suites.isEmpty()) {
            throw new IllegalArgumentException(flag + ": no cipher named in '" + list + "'");
        }
        return suites;
    }

    static CipherSuite lookup(String name, String flag) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        for (CipherSuite suite : CipherSuite.values()) {
            if (suite.openSslName().equals(upper) || suite.ianaName().equals(upper)) {
                return suite;
            }
        }
        if (NON_AEAD.matcher(upper).matches() && !upper.contains("GCM") && !upper.contains("CHACHA")) {
            throw new IllegalArgumentException(flag + ": cipher '" + name
                    + "' is refused: not an AEAD suite (CBC/stream/NULL); use e.g. ECDHE-RSA-AES128-GCM-SHA256");
        }
        throw new IllegalArgumentException(flag + ": unknown cipher '" + name + "'; supported: " + supported());
    }

    static String supported() {
        List<String> names = new ArrayList<>();
        for (CipherSuite suite : CipherSuite.values()) {
            names.add(suite.openSslName());
        }
        return String.join(":", names);
    }
}
