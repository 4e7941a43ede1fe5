package io.eitrelay.core.config;

/**
 * Which address family is tried first when a target name has both A and AAAA answers. Every address
 * is tried in turn whatever the preference (stunnel does the same with getaddrinfo's list), so a
 * server reachable over one family only is still reached; the preference decides which waits.
 */
public enum FamilyPreference {
    /** IPv4 addresses first (the JDK's own order, and what most NFS servers in a VPC answer on). */
    IPV4,
    /** IPv6 addresses first. */
    IPV6
}
