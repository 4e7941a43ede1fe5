package io.eitrelay.core.config;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * TLS settings of one endpoint.
 *
 * @param versions    protocol versions offered; never empty
 * @param ciphers     TLS 1.2 suites offered, in order (TLS 1.3 suites are always the AEAD three)
 * @param caFile      trust anchors in PEM; empty means the system trust store (client mode) or no
 *                    client certificates requested (server mode)
 * @param peerCheck   identity the peer certificate must prove (client mode)
 * @param sni         server name sent; empty means the target host when it is a name
 * @param keyPair     our certificate and key: required in server mode, optional client certificate
 * @param verifyPeer  false only by explicit user choice; the relay warns at start-up
 * @param fipsApproved only FIPS-approved algorithms (stunnel {@code fips = yes}, or a host booted
 *                    with fips_enabled): AES-GCM suites and the P-256/P-384 groups
 * @param ocsp        revocation checks of the peer's chain (stunnel {@code OCSPaia}); only when verifying
 */
public record TlsSettings(Set<TlsVersion> versions, List<CipherSuite> ciphers, Optional<Path> caFile,
                          PeerCheck peerCheck, Optional<String> sni, Optional<KeyPairFiles> keyPair,
                          boolean verifyPeer, boolean fipsApproved, OcspPolicy ocsp) {
    public TlsSettings {
        versions = Set.copyOf(versions);
        ciphers = List.copyOf(ciphers);
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(peerCheck, "peerCheck");
        Objects.requireNonNull(sni, "sni");
        Objects.requireNonNull(keyPair, "keyPair");
        Objects.requireNonNull(ocsp, "ocsp");
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("at least one TLS version is required");
        }
        if (ciphers.isEmpty()) {
            throw new IllegalArgumentException("at least one cipher suite is required");
        }
    }

    /** TLS 1.2 and 1.3, the default AEAD suites, verification on against the system trust store. */
    public static TlsSettings defaults() {
        return new TlsSettings(EnumSet.allOf(TlsVersion.class), List.copyOf(CipherSuite.defaults()),
                Optional.empty(), new PeerCheck.TargetHost(), Optional.empty(), Optional.empty(), true, false, OcspPolicy.OFF);
    }

    public TlsSettings withCaFile(Path file) {
        return new TlsSettings(versions, ciphers, Optional.of(file), peerCheck, sni, keyPair, verifyPeer, fipsApproved, ocsp);
    }

    public TlsSettings withKeyPair(KeyPairFiles files) {
        return new TlsSettings(versions, ciphers, caFile, peerCheck, sni, Optional.of(files), verifyPeer, fipsApproved, ocsp);
    }

    public TlsSettings withPeerCheck(PeerCheck check) {
        return new TlsSettings(versions, ciphers, caFile, check, sni, keyPair, verifyPeer, fipsApproved, ocsp);
    }

    public TlsSettings withVersions(Set<TlsVersion> newVersions) {
        return new TlsSettings(newVersions, ciphers, caFile, peerCheck, sni, keyPair, verifyPeer, fipsApproved, ocsp);
    }

    public TlsSettings withCiphers(List<CipherSuite> newCiphers) {
        return new TlsSettings(versions, newCiphers, caFile, peerCheck, sni, keyPair, verifyPeer, fipsApproved, ocsp);
    }

    public TlsSettings withSni(String name) {
        return new TlsSettings(versions, ciphers, caFile, peerCheck, Optional.of(name), keyPair, verifyPeer, fipsApproved, ocsp);
    }

    public TlsSettings withoutVerification() {
        return new TlsSettings(versions, ciphers, caFile, peerCheck, sni, keyPair, false, fipsApproved, ocsp);
    }

    public TlsSettings withFipsApproved(boolean fips) {
        return new TlsSettings(versions, ciphers, caFile, peerCheck, sni, keyPair, verifyPeer, fips, ocsp);
    }

    public TlsSettings withOcsp(OcspPolicy policy) {
        return new TlsSettings(versions, ciphers, caFile, peerCheck, sni, keyPair, verifyPeer, fipsApproved, policy);
    }
}
