package io.eitrelay.core.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test data: record-marked streams built from fragment sizes, and ways to cut them into reads. */
final class RecordStreams {
    private RecordStreams() {
    }

    /** The stream for {@code records}, each a list of fragment payload sizes; also fills {@code recordEnds}. */
    static byte[] encode(List<List<Integer>> records, long seed, List<Integer> recordEnds) {
        Random random = new Random(seed);
        ByteBuf out = Unpooled.buffer();
        for (List<Integer> fragments : records) {
            for (int i = 0; i < fragments.size(); i++) {
                int size = fragments.get(i);
                out.writeInt(RecordMark.of(size, i == fragments.size() - 1));
                byte[] payload = new byte[size];
                random.nextBytes(payload);
                out.writeBytes(payload);
            }
            recordEnds.add(out.writerIndex());
        }
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    /** Cuts {@code stream} at the given points (taken modulo the length, sorted). */
    static List<int[]> cut(byte[] stream, List<Integer> points) {
        List<Integer> cuts = new ArrayList<>();
        for (int p : points) {
            if (stream.length > 0) {
                cuts.add(Math.floorMod(p, stream.length));
            }
        }
        cuts.add(0);
        cuts.add(stream.length);
        cuts.sort(null);
        List<int[]> pieces = new ArrayList<>();
        for (int i = 0; i + 1 < cuts.size(); i++) {
            if (cuts.get(i + 1) > cuts.get(i)) {
                pieces.add(new int[] {cuts.get(i), cuts.get(i + 1)});
            }
        }
        return pieces;
    }
}
