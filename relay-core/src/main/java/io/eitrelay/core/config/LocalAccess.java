package io.eitrelay.core.config;

/**
 * Who may connect to a client-mode listener, the plaintext side of the tunnel on loopback. Any local
 * user who can open that port reaches the NFS server with the mount's TLS identity, so mount-style
 * listeners admit only what the kernel NFS client looks like.
 */
public enum LocalAccess {
    /** Anyone who can reach the listen address (plain standalone use). */
    ANY,
    /**
     * A privileged source port (below 1024: the kernel NFS client binds one unless mounted with
     * {@code noresvport}) or a socket owned by uid 0 (the kernel's own sockets, and root).
     */
    PRIVILEGED
}
