package io.eitrelay.core;

import java.net.InetSocketAddress;

/** A listener could not be bound; nothing of the relay is left running when this is thrown. */
public final class RelayStartException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String endpointName;
    private final transient InetSocketAddress address;

    RelayStartException(String endpointName, InetSocketAddress address, String reason, Throwable cause) {
        super("Binding service [" + endpointName + "] to " + format(address) + ": " + reason, cause);
        this.endpointName = endpointName;
        this.address = address;
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
