package io.eitrelay.core.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** NFSv4 COMPOUND calls are named by their main operation, from the bytes a relay captures of them. */
class Nfs4CompoundTest {
    /** An NFSv4 COMPOUND call as a Linux client sends it: AUTH_SYS credential, empty tag. */
    static final class Call {
        final ByteBuffer b = ByteBuffer.allocate(2048);

        Call(int minorVersion, int operations) {
            b.putInt(42).putInt(0).putInt(2).putInt(100_003).putInt(4).putInt(1);
            byte[] machine = "client.example".getBytes(StandardCharsets.US_ASCII);
            int body = 4 + 4 + 16 + 4 + 4 + 4 + 4 * 3; // stamp, name (14 padded to 16), uid, gid, 3 gids
            b.putInt(1).putInt(body).putInt(12345).putInt(machine.length).put(machine).put(new byte[2])
                    .putInt(0).putInt(0).putInt(3).putInt(10).putInt(20).putInt(30);
            b.putInt(0).putInt(0);                // verifier AUTH_NONE
            b.putInt(0);                          // tag: empty
            b.putInt(minorVersion).putInt(operations);
        }

        Call op(String name) {
            b.putInt(Nfs4Compound.operation(name));
            return this;
        }

        Call sequenceArgs() {
            b.put(new byte[16]).putInt(1).putInt(0).putInt(0).putInt(0);
            return this;
        }

        Call fileHandle(int length) {
            b.putInt(length).put(new byte[(length + 3) & ~3]);
            return this;
        }

        Call readArgs() {
            b.put(new byte[16]).putLong(0).putInt(1 << 20);
            return this;
        }

        byte[] bytes() {
            return Arrays.copyOf(b.array(), b.position());
        }
    }

    static String name(byte[] call) {
        return Nfs4Compound.mainOperation(call, Math.min(call.length, Nfs4Compound.CAPTURE_BYTES));
    }

    @Test
    void sessionAndFileHandleHousekeepingIsSkipped() {
        assertEquals("READ", name(new Call(1, 3).op("SEQUENCE").sequenceArgs().op("PUTFH").fileHandle(28).op("READ").readArgs().bytes()));
        assertEquals("WRITE", name(new Call(2, 4).op("SEQUENCE").sequenceArgs().op("PUTFH").fileHandle(128).op("WRITE").bytes()));
        assertEquals("GETATTR", name(new Call(0, 2).op("PUTROOTFH").op("GETATTR").bytes()));
        assertEquals("LOOKUP", name(new Call(0, 4).op("PUTFH").fileHandle(36).op("LOOKUP").op("GETFH").bytes()));
    }

    @Test
    void aCompoundOfHousekeepingOnlyIsNamedByItsLastOperation() {
        assertEquals("SEQUENCE", name(new Call(1, 1).op("SEQUENCE").sequenceArgs().bytes()), "a 4.1 lease renewal");
    }

    @Test
    void whatCannotBeReadSafelyIsNotGuessed() {
        byte[] full = new Call(1, 3).op("SEQUENCE").sequenceArgs().op("PUTFH").fileHandle(28).op("READ").readArgs().bytes();
        assertEquals("PUTFH", Nfs4Compound.mainOperation(full, 140), "cut inside PUTFH's handle: stop there");
        assertEquals("COMPOUND", Nfs4Compound.mainOperation(full, 30), "cut inside the credential");
        assertEquals("PUTFH", name(new Call(0, 2).op("PUTFH").fileHandle(129).op("READ").bytes()),
                "a file handle longer than NFS4_FHSIZE is not skipped");
        assertEquals("other", name(new Call(0, 1).b.putInt(9999).array()), "unknown operation numbers are bounded");
    }
}
