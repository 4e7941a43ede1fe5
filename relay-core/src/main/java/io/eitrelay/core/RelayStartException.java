package io.eitrelay.core;

import java.net.InetSocketAddress;

/** A listener could not be bound; nothing of the relay is left running when this is thrown. */
public final class RelayStartException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String endpointName;
    private final transient InetSocketAddress address;
    private final boolean addressInUse;

    RelayStartException(String endpointName, InetSocketAddress address, String reason, Throwable cause) {
        super("Binding service [" + endpointName + "] to " + format(address) + ": " + reason, cause);
        this.endpointName = endpointName;
        this.address = address;
        this.addressInUse = reason.startsWith(ADDRESS_IN_USE);
    }

    /**
     * A bind of {@code endpoint}'s listen address that failed with {@code cause}, in stunnel's words,
     * which AZNFS greps for: {@code <addr>:<port>: Address already in use (98)}.
     */
    static RelayStartException bindFailed(io.eitrelay.core.config.EndpointConfig endpoint, Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        String reason = message.contains(ADDRESS_IN_USE) ? ADDRESS_IN_USE + " (98)"
                : message.contains(CANNOT_ASSIGN) ? CANNOT_ASSIGN + " (99)"
                : message;
        return new RelayStartException(endpoint.name(), endpoint.listen(), reason, cause);
    }

    /** strerror(EADDRNOTAVAIL): the listen address is not one of this host's. */
    private static final String CANNOT_ASSIGN = "Cannot assign requested address";

    /** stunnel's wording for EADDRINUSE, which AZNFS greps for. */
    static final String ADDRESS_IN_USE = "Address already in use";

    /** True when another socket holds the address (a caller choosing a port tries the next one). */
    public boolean addressInUse() {
        return addressInUse;
    }

    public String endpointName() {
        return endpointName;
    }

    public InetSocketAddress address() {
        return address;
    }

    static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
