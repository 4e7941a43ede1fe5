package io.eitrelay.cli.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.cli.mount.MountTable.NfsMount;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The NFS mounts read from /proc/mounts lines as a 6.1 kernel writes them. */
class MountTableTest {
    @Test
    void nfsMountsAreFoundWithTheAddressAndPortTheirClientUses() {
        List<NfsMount> mounts = MountTable.parse(List.of(
                "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0",
                "127.0.0.1:/export /mnt/with\\040space nfs4 rw,relatime,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,"
                        + "hard,proto=tcp,port=20123,timeo=600,retrans=2,sec=sys,clientaddr=127.0.0.1,local_lock=none,"
                        + "addr=127.0.0.1 0 0",
                "127.0.1.1:/export /mnt/v3 nfs rw,relatime,vers=3,rsize=1048576,wsize=1048576,namlen=255,hard,nolock,proto=tcp,"
                        + "port=12049,timeo=600,retrans=2,sec=sys,mountaddr=127.0.1.1,mountvers=3,mountport=12050,"
                        + "mountproto=tcp,local_lock=all,addr=127.0.1.1 0 0",
                "10.0.0.5:/ /mnt/direct nfs4 rw,vers=4.1,proto=tcp,timeo=600,addr=10.0.0.5 0 0",
                "broken line"));
        assertEquals(3, mounts.size());
        assertEquals(new NfsMount("127.0.0.1:/export", "/mnt/with space", "nfs4", "127.0.0.1", 20123), mounts.get(0));
        assertTrue(mounts.get(1).connectsTo("127.0.1.1", 12049));
        assertFalse(mounts.get(1).connectsTo("127.0.1.1", 12050), "the MOUNT port is not the NFS client's");
        assertTrue(mounts.get(2).connectsTo("10.0.0.5", 2049), "no port= shown: the NFS port");
    }
}
