package io.eitrelay.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostnameMatcherTest {
    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
            "fs-1.example.com, fs-1.example.com, true",
            "FS-1.Example.COM, fs-1.example.com, true",
            "fs-1.example.com., fs-1.example.com, true",
            "fs-1.example.com, fs-2.example.com, false",
            "*.example.com, fs-1.example.com, true",
            "*.example.com, a.b.example.com, false",
            "*.example.com, example.com, false",
            "*.com, example.com, false",
            "*, example, false",
            "fs*.example.com, fs-1.example.com, true",
            "*-1.example.com, fs-1.example.com, true",
            "fs*.example.com, nfs.example.com, false",
            "a.*.example.com, a.b.example.com, false",
            "**.example.com, a.example.com, false",
            "x*.example.com, xn--bcher-kva.example.com, false",
            "*.file.core.windows.net, acct.file.core.windows.net, true",
            // AZNFS writes the wildcard itself as checkHost; Azure's certificate carries the same wildcard.
            "*.file.core.windows.net, *.file.core.windows.net, true",
    })
    void matchesLikeX509CheckHost(String pattern, String host, boolean expected) {
        assertEquals(expected, HostnameMatcher.matches(pattern, host));
    }
}
