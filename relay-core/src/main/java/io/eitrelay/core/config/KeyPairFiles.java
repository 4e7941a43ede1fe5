package io.eitrelay.core.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A PEM certificate chain and its private key (PKCS#1, PKCS#8 or SEC1). Both may be the same file,
 * as stunnel allows.
 */
public record KeyPairFiles(Path certificateChain, Path privateKey) {
    public KeyPairFiles {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
    }
}
