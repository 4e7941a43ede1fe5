package io.eitrelay.cli;

import java.util.List;

/** Values both config fuzz tests feed to keys and flags: valid, borderline and garbage. */
public final class FuzzValues {
    /** The last one is 5,000 characters long. */
    public static final List<String> VALUES = List.of("", "yes", "no", "YES", "0", "1", "2", "3", "4", "7", "-1",
            "99999999999999999999", "2147483648", "127.0.0.1:20049", "20049", "0", ":", "::1", "[::1]:1", "fd00::1:2049",
            "1.2.3.4:0", "1.2.3.4:65536", "host.example:2049", "a:b:c", "TLSv1.2", "TLSv1.3", "TLSv1", "all",
            "ECDHE-RSA-AES128-GCM-SHA256", "AES128-SHA", "AES256-GCM-SHA384:", "/no/such/file", "quiet", "emerg",
            "debug", "info", "r:TCP_NODELAY=1", "a:SO_BINDTODEVICE=lo", "l:SO_REUSEADDR=yes", "x:Y=Z", "=", "==",
            "1e3", "0x10", "é€", "\u0000", "\t", " spaced value ", "x".repeat(5000));

    private FuzzValues() {
    }
}
