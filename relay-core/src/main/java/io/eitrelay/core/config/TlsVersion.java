package io.eitrelay.core.config;

/** The protocol versions the relay speaks. Anything older than TLS 1.2 is not representable on purpose. */
public enum TlsVersion {
    TLS_1_2("TLSv1.2"),
    TLS_1_3("TLSv1.3");

    private final String protocolName;

    TlsVersion(String protocolName) {
        this.protocolName = protocolName;
    }

    /** The name JSSE and Netty use ({@code SSLEngine.setEnabledProtocols}). */
    public String protocolName() {
        return protocolName;
    }
}
