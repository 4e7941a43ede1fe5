package io.eitrelay.probe.rpc;

import io.eitrelay.probe.xdr.XdrWriter;

/** Call credentials (RFC 5531 §8.2, §A.1): AUTH_NONE, or AUTH_SYS with uid/gid. */
public record Auth(int flavor, byte[] body) {
    static final int AUTH_NONE = 0;
    static final int AUTH_SYS = 1;

    public static Auth none() {
        return new Auth(AUTH_NONE, new byte[0]);
    }

    /** AUTH_SYS as a Linux client sends it: stamp, machine name, uid, gid, no extra groups. */
    public static Auth sys(String machine, int uid, int gid) {
        byte[] body = new XdrWriter().writeInt((int) (System.currentTimeMillis() / 1000)).writeString(machine)
                .writeInt(uid).writeInt(gid).writeInt(0).toByteArray();
        return new Auth(AUTH_SYS, body);
    }
}
