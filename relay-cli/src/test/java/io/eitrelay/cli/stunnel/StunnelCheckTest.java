package io.eitrelay.cli.stunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.cli.Main;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.testing.TestPki;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --check} accepts every corpus file once its paths point at real files, and refuses a bad key by name. */
class StunnelCheckTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"efs-utils-tls.conf", "efs-utils-ocsp-debug.conf", "efs-utils-ipv6-sni.conf",
            "aznfs-tls12.conf", "aznfs-tls13-azurelinux.conf", "alinas.conf"})
    void corpusFileChecksOkWithItsFilesPresent(String name) throws Exception {
        TestPki pki = new TestPki(dir);
        KeyPairFiles client = pki.issue("client", r -> r);
        Map<String, String> values = new HashMap<>(Map.of("CAfile", pki.caFile().toString(),
                "cert", client.certificateChain().toString(), "key", client.privateKey().toString()));
        Path config = Files.writeString(dir.resolve(name), CorpusConfig.substitute(name, values));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "--check", config.toString());
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("configuration OK (1 service)"), out.toString());

        // The same file with its key replaced by a certificate: refused, naming the file.
        if (Files.readString(config).contains("key =")) {
            values.put("key", client.certificateChain().toString());
            Files.writeString(config, CorpusConfig.substitute(name, values));
            StringWriter bad = new StringWriter();
            assertEquals(1, Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(bad, true), "--check", config.toString()));
            assertTrue(bad.toString().contains(client.certificateChain() + ": no PEM private key"), bad.toString());
            assertTrue(bad.toString().contains("[!] Configuration failed"), bad.toString());
        }
    }
}
