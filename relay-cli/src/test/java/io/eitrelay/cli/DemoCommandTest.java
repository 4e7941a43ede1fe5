package io.eitrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The README's first command: the demo needs nothing but this machine and reports what a user wants to see. */
class DemoCommandTest {
    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource({"epoll, openssl, OpenSSL", "nio, jdk, JDK"})
    void demoMovesDataBothWaysAndReportsTls(String transport, String provider, String providerName) {
        CliRun run = CliRun.of("demo", "--size-mib", "8", "--transport", transport, "--tls-provider", provider);
        assertEquals(ExitCodes.OK, run.exitCode(), run.out() + run.err());
        String out = run.out();
        assertTrue(out.contains("transport     " + transport), out);
        assertTrue(out.contains("TLS provider  " + providerName), out);
        assertTrue(out.contains("client end    configured from an efs-utils style stunnel file"), out);
        assertTrue(out.matches("(?s).*TLS           TLSv1\\.3 TLS_AES_(128|256)_GCM_SHA(256|384), server certificate verified.*"), out);
        assertTrue(out.contains("moved         8 MiB up and 8 MiB down"), out);
        // 8 records of 1 MiB, each with its 4-byte record mark.
        assertTrue(out.contains("relay bytes   8388640 to target, 8388640 from target in 8 + 8 ONC-RPC records"), out);
        assertTrue(out.contains("SHA-256 of data sent and data received identical"), out);
    }
}
