package io.eitrelay.core.access;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The uid that owns the other end of a loopback TCP connection, from the kernel's socket table
 * ({@code /proc/net/tcp}, {@code /proc/net/tcp6}; proc(5)). On loopback both ends are in this network
 * namespace, so the client's socket is the row whose local address is our peer and whose remote
 * address is our local address.
 */
public final class SocketOwners {
    private static final Path TCP4 = Path.of("/proc/net/tcp");
    private static final Path TCP6 = Path.of("/proc/net/tcp6");
    /** Columns of a row: sl, local_address, rem_address, st, tx:rx queue, tr:when, retrnsmt, uid. */
    private static final int LOCAL_COLUMN = 1;
    private static final int REMOTE_COLUMN = 2;
    private static final int UID_COLUMN = 7;
    /** The table is the kernel's, but read as untrusted all the same: a bound on rows read. */
    private static final int MAX_ROWS = 1 << 20;

    private SocketOwners() {
    }

    /** The owner of the socket at {@code peer} connected to {@code local}, if the table lists it. */
    public static OptionalInt uidOf(InetSocketAddress peer, InetSocketAddress local) throws IOException {
        if (!(peer.getAddress() instanceof Inet4Address)) {
            return uidOf(TCP6, encode(peer), encode(local));
        }
        OptionalInt uid = uidOf(TCP4, encode(peer), encode(local));
        // A dual-stack client socket (Java's default, for one) reaches an IPv4 listener as ::ffff:a.b.c.d.
        return uid.isPresent() ? uid : uidOf(TCP6, encode(mapped(peer)), encode(mapped(local)));
    }

    private static InetSocketAddress mapped(InetSocketAddress v4) throws IOException {
        byte[] address = new byte[16];
        address[10] = (byte) 0xff;
        address[11] = (byte) 0xff;
        System.arraycopy(v4.getAddress().getAddress(), 0, address, 12, 4);
        // Inet6Address.getByAddress keeps a mapped address as IPv6 (InetAddress.getByAddress would not).
        return new InetSocketAddress(java.net.Inet6Address.getByAddress(null, address, -1), v4.getPort());
    }

    static OptionalInt uidOf(Path table, String peer, String local) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
            reader.readLine(); // header
            String line;
            for (int row = 0; row < MAX_ROWS && (line = reader.readLine()) != null; row++) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length > UID_COLUMN && columns[LOCAL_COLUMN].equals(peer)
                        && columns[REMOTE_COLUMN].equals(local)) {
                    try {
                        return OptionalInt.of(Integer.parseInt(columns[UID_COLUMN]));
                    } catch (NumberFormatException e) {
                        return OptionalInt.empty();
                    }
                }
            }
        }
        return OptionalInt.empty();
    }

    /**
     * proc(5)'s form: the address as 32-bit words in host byte order (on little-endian machines each
     * word's bytes reversed), each printed as 8 hex digits, then ':' and the port in 4 hex digits.
     */
    static String encode(InetSocketAddress address) {
        byte[] bytes = address.getAddress().getAddress();
        boolean reverse = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        StringBuilder text = new StringBuilder(bytes.length * 2 + 5);
        for (int word = 0; word < bytes.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                text.append(String.format("%02X", bytes[word + (reverse ? 3 - i : i)] & 0xff));
            }
        }
        return text.append(':').append(String.format("%04X", address.getPort())).toString();
    }
}
