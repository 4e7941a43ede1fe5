package io.eitrelay.core.config;

/** Which side of the endpoint speaks TLS. */
public enum Mode {
    /** Plain ONC-RPC in from the local NFS client, TLS out to the storage server (stunnel {@code client = yes}). */
    CLIENT,
    /** TLS in from a remote relay or stunnel, plain out to the local NFS server. */
    SERVER
}
