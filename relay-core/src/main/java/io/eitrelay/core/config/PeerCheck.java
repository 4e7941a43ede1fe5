package io.eitrelay.core.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What identity the peer's certificate must prove, beyond a chain to a trusted CA
 * (stunnel's {@code checkHost} / {@code checkIP}).
 */
public sealed interface PeerCheck {
    /** The certificate must name this host (DNS SAN, wildcards as in RFC 6125 §6.4.3). */
    record Host(String name) implements PeerCheck {
        public Host {
            Objects.requireNonNull(name, "name");
        }
    }

    /** The certificate must carry this address as an IP SAN (RFC 5280 §4.2.1.6). */
    record Ip(InetAddress address) implements PeerCheck {
        public Ip {
            Objects.requireNonNull(address, "address");
        }
    }

    /** Check the target's host: its name, or its address when the target is an IP literal. */
    record TargetHost() implements PeerCheck { }

    /** Chain only; no identity check (server mode checking client certificates, or stunnel verify = 1/2 without checkHost). */
    record ChainOnly() implements PeerCheck { }
}
