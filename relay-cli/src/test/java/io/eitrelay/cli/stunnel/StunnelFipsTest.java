package io.eitrelay.cli.stunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.cli.HostFips;
import io.eitrelay.core.config.EndpointConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code fips = yes}, or a host booted in FIPS mode (even with the {@code fips = no} efs-utils hard-codes), turns the policy on. */
class StunnelFipsTest {
    static final String SERVICE = "[efs]\nclient = yes\naccept = 127.0.0.1:20049\nconnect = 10.0.0.1:2049\n";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "fips = {0}, host FIPS {1}")
    @CsvSource({"yes, false, true", "no, true, true", "no, false, false", "yes, true, true"})
    void fipsKeyOrHostTurnsThePolicyOn(String key, boolean host, boolean expected) throws Exception {
        StunnelSettings settings = StunnelTranslator.translate(
                StunnelFile.parse(Path.of("f.conf"), "fips = " + key + "\n" + SERVICE), host);
        for (EndpointConfig endpoint : settings.relay().endpoints()) {
            assertEquals(expected, endpoint.tls().fipsApproved());
        }
    }

    @Test
    void aFipsValueOtherThanYesOrNoIsNamed() {
        StunnelConfigException e = org.junit.jupiter.api.Assertions.assertThrows(StunnelConfigException.class,
                () -> StunnelTranslator.translate(StunnelFile.parse(Path.of("f.conf"), "fips = on\n" + SERVICE), false));
        assertEquals("f.conf:1: \"fips = on\": Argument should be either 'yes' or 'no'", e.getMessage());
    }

    @Test
    void hostFipsModeIsReadFromTheKernelFlag() throws Exception {
        assertTrue(HostFips.enabled(Files.writeString(dir.resolve("on"), "1\n")));
        assertFalse(HostFips.enabled(Files.writeString(dir.resolve("off"), "0\n")));
        assertFalse(HostFips.enabled(dir.resolve("absent")), "no such kernel flag: not FIPS");
    }
}
