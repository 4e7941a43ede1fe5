package io.eitrelay.cli.stunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Broken files fail like stunnel: file, line, the line as written, and the reason. */
class StunnelErrorsTest {
    static final String BASE = "foreground = yes\n[efs]\nclient = yes\naccept = 127.0.0.1:20049\nconnect = 10.0.0.1:2049\n";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bogusOpt = 1 | 6 | \"bogusOpt = 1\": Specified option name is not valid here",
            "client = maybe | 6 | \"client = maybe\": Argument should be either 'yes' or 'no'",
            "OCSPaia = sometimes | 6 | \"OCSPaia = sometimes\": Argument should be either 'yes' or 'no'",
            "OCSPrequire = 1 | 6 | \"OCSPrequire = 1\": Argument should be either 'yes' or 'no'",
            "sslVersion = TLSv1.1 | 6 | \"sslVersion = TLSv1.1\": TLSv1.1 is refused",
            "ciphers = AES128-SHA | 6 | cipher 'AES128-SHA' is refused: not an AEAD suite",
            "verify = 9 | 6 | \"verify = 9\": Bad verify level",
            "TIMEOUTidle = soon | 6 | \"TIMEOUTidle = soon\": Illegal number of seconds",
            "accept = 127.0.0.1:99999 | 6 | port must be 0..65535",
            "pid = /tmp/x.pid | 6 | \"pid = /tmp/x.pid\": Specified option name is not valid here",
            "renegotiation = yes | 6 | renegotiation is never supported",
            "socket = r:SO_LINGER=1:0 | 6 | socket option not supported",
            "no equals sign here | 6 | \"no equals sign here\": No '=' found",
    })
    void badLineIsReportedWithItsNumber(String line, int number, String expected) {
        Path file = Path.of("/etc/stunnel/test.conf");
        StunnelConfigException e = assertThrows(StunnelConfigException.class,
                () -> StunnelTranslator.translate(StunnelFile.parse(file, BASE + line)));
        String prefix = file + ":" + number + ": ";
        assertEquals(true, e.getMessage().startsWith(prefix) && e.getMessage().contains(expected), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "foreground = yes\\n[a]\\nclient = yes\\nconnect = 10.0.0.1:2049 | 'accept' is required",
            "foreground = yes\\n[a]\\nclient = no\\naccept = 1234\\nconnect = 2049 | server mode (client = no) needs 'cert'",
            "foreground = yes | no [service] section",
            "[a]\\naccept = 1\\n[a]\\naccept = 2 | :3: \"[a]\": Duplicate service name",
    })
    void structuralProblemsAreNamed(String content, String expected) {
        StunnelConfigException e = assertThrows(StunnelConfigException.class,
                () -> StunnelTranslator.translate(StunnelFile.parse(Path.of("t.conf"), content.replace("\\n", "\n"))));
        assertEquals(true, e.getMessage().contains(expected), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "verify = 2\\nOCSPaia = yes | true | true",
            "verify = 2\\nOCSPaia = yes\\nOCSPrequire = no | true | false",
            "OCSPrequire = no\\nverify = 2\\nOCSPaia = yes | true | false",
            "verify = 2\\nOCSPaia = no | false | true",
            "verify = 0\\nOCSPaia = yes | false | true",
    })
    void ocspKeysBecomeTheEndpointsOcspPolicy(String lines, boolean query, boolean require) throws Exception {
        String content = BASE + "CAfile = /etc/ca.pem\n" + lines.replace("\\n", "\n");
        var tls = StunnelTranslator.translate(StunnelFile.parse(Path.of("t.conf"), content)).relay().endpoints().get(0).tls();
        assertEquals(query, tls.ocsp().queryAia(), "OCSPaia (only while verifying, as stunnel)");
        if (query) {
            assertEquals(require, tls.ocsp().requireConclusive(), "OCSPrequire, default yes");
        }
    }
}
