package io.eitrelay.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Debian's nfs-ganesha as a test's NFS server on loopback (recipe and pitfalls: ../shared/docs/nfs-lab.md).
 * NFSv4 needs nothing else; NFSv3 registers with rpcbind, which is started here when none runs and
 * stopped again by {@link #close()}.
 */
public final class Ganesha implements AutoCloseable {
    private static final Path RPCBIND_SOCKET = Path.of("/run/rpcbind.sock");

    private final ExternalProcess ganesha;
    private final ExternalProcess rpcbind;
    private final Path export;
    private final int nfsPort;
    private final int mountPort;

    private Ganesha(ExternalProcess ganesha, ExternalProcess rpcbind, Path export, int nfsPort, int mountPort) {
        this.ganesha = ganesha;
        this.rpcbind = rpcbind;
        this.export = export;
        this.nfsPort = nfsPort;
        this.mountPort = mountPort;
    }

    /**
     * Starts ganesha exporting {@code dir}/export as /export; {@code setUp} puts files in the export first
     * (files deleted behind ganesha's back confuse its cache).
     */
    public static Ganesha start(Path dir, boolean nfs3, IoConsumer<Path> setUp) throws Exception {
        String binary = ExternalProcess.require("ganesha.nfsd", "nfs-ganesha");
        Path export = Files.createDirectories(dir.resolve("export"));
        Path recovery = Files.createDirectories(dir.resolve("recov"));
        setUp.accept(export);
        ExternalProcess rpcbind = null;
        if (nfs3 && !rpcbindAnswers()) {
            Files.deleteIfExists(RPCBIND_SOCKET); // left behind by an rpcbind that has exited
            rpcbind = ExternalProcess.start(List.of(ExternalProcess.require("rpcbind", "rpcbind"), "-f", "-w"),
                    dir.resolve("rpcbind.out"));
            if (!Eventually.within(10_000, Ganesha::rpcbindAnswers)) {
                rpcbind.close();
                throw new IllegalStateException("rpcbind did not start: " + rpcbind.output());
            }
        }
        int nfsPort = ExternalProcess.freePort();
        int mountPort = nfs3 ? ExternalProcess.freePort() : 0;
        Path config = Files.writeString(dir.resolve("ganesha.conf"), String.join("\n",
                "NFS_CORE_PARAM { Bind_Addr = 127.0.0.1; NFS_Port = " + nfsPort + ";"
                        + (nfs3 ? " MNT_Port = " + mountPort + "; Protocols = 3, 4;" : " Protocols = 4;"),
                "  Enable_NLM = false; Enable_RQUOTA = false; Enable_UDP = false; mount_path_pseudo = true; }",
                "NFS_KRB5 { Active_krb5 = false; }",
                "NFSv4 { Graceless = true; RecoveryBackend = fs; RecoveryRoot = " + recovery + "; Minor_Versions = 0, 1, 2;",
                "  Only_Numeric_Owners = true; }",
                "EXPORT { Export_Id = 1; Path = " + export + "; Pseudo = /export; Access_Type = RW; Squash = No_Root_Squash;",
                "  Transports = TCP; SecType = sys; FSAL { Name = VFS; } }", ""));
        ExternalProcess ganesha = ExternalProcess.start(List.of(binary, "-F", "-f", config.toString(), "-L",
                dir.resolve("ganesha.log").toString(), "-p", dir.resolve("ganesha.pid").toString()), dir.resolve("ganesha.out"));
        Ganesha started = new Ganesha(ganesha, rpcbind, export, nfsPort, mountPort);
        try {
            ganesha.awaitListening(nfsPort, 30_000);
            if (nfs3) {
                ganesha.awaitListening(mountPort, 30_000);
            }
        } catch (AssertionError | RuntimeException e) {
            started.close();
            throw e;
        }
        return started;
    }

    /** True when something accepts on rpcbind's socket (the file alone may be a leftover). */
    private static boolean rpcbindAnswers() {
        try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            return channel.connect(java.net.UnixDomainSocketAddress.of(RPCBIND_SOCKET));
        } catch (IOException e) {
            return false;
        }
    }

    /** A step that may throw, for {@link #start}. */
    public interface IoConsumer<T> {
        void accept(T value) throws IOException;
    }

    public Path export() {
        return export;
    }

    public int nfsPort() {
        return nfsPort;
    }

    public int mountPort() {
        return mountPort;
    }

    @Override
    public void close() {
        ganesha.close();
        if (rpcbind != null) {
            rpcbind.close();
            try {
                Files.deleteIfExists(RPCBIND_SOCKET); // rpcbind does not remove it on SIGTERM
            } catch (IOException e) {
                // the next start checks liveness anyway
            }
        }
    }
}
