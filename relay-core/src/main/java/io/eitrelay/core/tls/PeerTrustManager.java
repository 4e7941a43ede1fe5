package io.eitrelay.core.tls;

import io.eitrelay.core.config.OcspPolicy;
import io.eitrelay.core.config.PeerCheck;
import java.net.InetAddress;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Verifies the peer: validity dates of the leaf, the chain against the trust anchors (delegated to the
 * JDK's PKIX trust manager), then the identity the endpoint asks for. It does the identity check itself
 * instead of the engine's endpoint identification so that the check can name a host other than the
 * one connected to (stunnel {@code checkHost} with an IP {@code connect}), and so that every refusal
 * carries a reason a user can act on; the OpenSSL engine otherwise reports only "General
 * OpenSslEngine problem" (build-notes pitfall 4).
 */
final class PeerTrustManager extends X509ExtendedTrustManager {
    private static final int SAN_DNS = 2;  // RFC 5280 §4.2.1.6 GeneralName dNSName
    private static final int SAN_IP = 7;   // RFC 5280 §4.2.1.6 GeneralName iPAddress

    private final X509TrustManager chainValidator;
    private final PeerCheck check;
    private final Clock clock;
    private final OcspChecker ocsp;

    /**
     * @param check a resolved check: Host, Ip or ChainOnly (TargetHost is resolved by the caller)
     * @param ocsp  revocation checks after the chain and identity passed (stunnel OCSPaia)
     */
    PeerTrustManager(X509TrustManager chainValidator, PeerCheck check, OcspPolicy ocsp, Clock clock) {
        this.chainValidator = Objects.requireNonNull(chainValidator);
        this.check = Objects.requireNonNull(check);
        this.clock = Objects.requireNonNull(clock);
        this.ocsp = ocsp.queryAia() ? new OcspChecker(ocsp, clock) : null;
        if (check instanceof PeerCheck.TargetHost) {
            throw new IllegalArgumentException("TargetHost must be resolved to Host or Ip first");
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, authType, true);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        verify(chain, authType, true);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        verify(chain, authType, true);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, authType, false);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        verify(chain, authType, false);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        verify(chain, authType, false);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return chainValidator.getAcceptedIssuers();
    }

    private void verify(X509Certificate[] chain, String authType, boolean server) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new PeerVerificationException("the peer presented no certificate");
        }
        X509Certificate leaf = chain[0];
        Instant now = clock.instant();
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw new PeerVerificationException("certificate has expired (notAfter "
                    + leaf.getNotAfter().toInstant() + ", subject " + subject(leaf) + ")");
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            throw new PeerVerificationException("certificate is not yet valid (notBefore "
                    + leaf.getNotBefore().toInstant() + ", subject " + subject(leaf) + ")");
        }
        try {
            if (server) {
                chainValidator.checkServerTrusted(chain, authType);
            } else {
                chainValidator.checkClientTrusted(chain, authType);
            }
        } catch (CertificateException e) {
            throw new PeerVerificationException("unable to get local issuer certificate: "
                    + subject(leaf) + " issued by " + leaf.getIssuerX500Principal().getName()
                    + " does not chain to a trusted CA (" + rootMessage(e) + ")", e);
        }
        checkIdentity(leaf);
        if (ocsp != null) {
            // Last: the network queries are made only for a peer that passed every local check.
            ocsp.check(chain, chainValidator.getAcceptedIssuers());
        }
    }

    private void checkIdentity(X509Certificate leaf) throws CertificateException {
        if (check instanceof PeerCheck.Host host) {
            List<String> presented = dnsNames(leaf);
            for (String pattern : presented) {
                if (HostnameMatcher.matches(pattern, host.name())) {
                    return;
                }
            }
            throw new PeerVerificationException("hostname mismatch, expected " + host.name()
                    + ", presented " + presented);
        }
        if (check instanceof PeerCheck.Ip ip) {
            List<InetAddress> presented = ipAddresses(leaf);
            if (!presented.contains(ip.address())) {
                throw new PeerVerificationException("IP address mismatch, expected " + ip.address().getHostAddress()
                        + ", presented " + presented.stream().map(InetAddress::getHostAddress).toList());
            }
        }
    }

    /** DNS SANs; the subject CN only when there are none, as X509_check_host does. */
    private static List<String> dnsNames(X509Certificate certificate) throws CertificateParsingException {
        List<String> names = new ArrayList<>();
        for (List<?> san : subjectAltNames(certificate)) {
            if (((Integer) san.get(0)) == SAN_DNS) {
                names.add((String) san.get(1));
            }
        }
        if (names.isEmpty()) {
            try {
                for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        names.add(rdn.getValue().toString());
                    }
                }
            } catch (InvalidNameException e) {
                // An unparseable subject names nothing; the mismatch is reported with an empty list.
            }
        }
        return names;
    }

    private static List<InetAddress> ipAddresses(X509Certificate certificate) throws CertificateParsingException {
        List<InetAddress> addresses = new ArrayList<>();
        for (List<?> san : subjectAltNames(certificate)) {
            if (((Integer) san.get(0)) == SAN_IP) {
                try {
                    // The JDK renders iPAddress SANs as literals; getByName does not resolve literals.
                    addresses.add(InetAddress.getByName((String) san.get(1)));
                } catch (java.net.UnknownHostException e) {
                    // Not a literal after all: it cannot match.
                }
            }
        }
        return addresses;
    }

    private static Collection<List<?>> subjectAltNames(X509Certificate certificate) throws CertificateParsingException {
        Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
        return sans == null ? List.of() : sans;
    }

    private static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        for (int depth = 0; root.getCause() != null && depth < 8; depth++) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
