package io.eitrelay.cli.mount;

/**
 * What to mount, as mount(8) names it: {@code SERVER:/PATH}, an IPv6 server in brackets
 * ({@code [fd00::1]:/export}). The server is kept as written: the relay resolves it at every connection.
 */
public record MountSpec(String server, String path) {
    private static final int MAX_LENGTH = 4096;

    public static MountSpec parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("'" + text.substring(0, 40) + "...': over " + MAX_LENGTH + " characters");
        }
        String server;
        String rest;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            server = close < 0 ? "" : text.substring(1, close);
            rest = close < 0 ? "" : text.substring(close + 2);
        } else {
            int colon = text.indexOf(':');
            server = colon < 0 ? "" : text.substring(0, colon);
            rest = colon < 0 ? "" : text.substring(colon + 1);
        }
        if (server.isEmpty() || !rest.startsWith("/") || !server.matches("[A-Za-z0-9.:%_-]+")) {
            throw new IllegalArgumentException("'" + text + "': expected SERVER:/PATH (e.g. fs.example.com:/ or [fd00::1]:/export)");
        }
        return new MountSpec(server, rest);
    }

    /** The same path on another host, as mount.nfs is given it. */
    public String on(String host) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + path;
    }

    /** The server as HOST:PORT text for a relay target. */
    public String target(int port) {
        return (server.indexOf(':') >= 0 ? "[" + server + "]" : server) + ":" + port;
    }
}
