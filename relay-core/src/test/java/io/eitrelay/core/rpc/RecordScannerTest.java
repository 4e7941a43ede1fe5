package io.eitrelay.core.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordScannerTest {
    private static final int CAP = 4096;

    @Test
    void anyRecordsSplitAnywhereAreSeenWithTheSameBoundariesAndUntouchedBytes() {
        qt().withExamples(300)
                .forAll(lists().of(lists().of(integers().between(0, 600)).ofSizeBetween(1, 4)).ofSizeBetween(0, 12),
                        lists().of(integers().allPositive()).ofSizeBetween(0, 20), longs().all())
                .checkAssert((records, points, seed) -> {
                    List<Integer> ends = new ArrayList<>();
                    byte[] stream = RecordStreams.encode(records, seed, ends);
                    byte[] copy = stream.clone();
                    RecordScanner scanner = new RecordScanner(CAP);
                    int seen = 0;
                    for (int[] piece : RecordStreams.cut(stream, points)) {
                        ByteBuf chunk = Unpooled.wrappedBuffer(stream, piece[0], piece[1] - piece[0]);
                        int readerIndex = chunk.readerIndex();
                        seen += scanner.scan(chunk);
                        assertEquals(readerIndex, chunk.readerIndex(), "the scanner never consumes bytes");
                        int upTo = piece[1];
                        assertEquals(ends.stream().filter(e -> e <= upTo).count(), seen,
                                "records ended by offset " + upTo);
                    }
                    assertEquals(records.size(), seen);
                    assertTrue(scanner.atRecordBoundary());
                    assertArrayEquals(copy, stream, "bytes pass through unchanged");
                });
    }

    @Test
    void everyRecordsFirstBytesReachTheListenerWhereverTheStreamIsCut() {
        qt().withExamples(200)
                .forAll(lists().of(lists().of(integers().between(0, 60)).ofSizeBetween(1, 4)).ofSizeBetween(1, 10),
                        lists().of(integers().allPositive()).ofSizeBetween(0, 30), longs().all())
                .checkAssert((records, points, seed) -> {
                    List<Integer> ends = new ArrayList<>();
                    byte[] stream = RecordStreams.encode(records, seed, ends);
                    List<byte[]> expected = new ArrayList<>();
                    int offset = 0;
                    for (List<Integer> fragments : records) {
                        java.io.ByteArrayOutputStream payload = new java.io.ByteArrayOutputStream();
                        for (int size : fragments) {
                            offset += RecordMark.SIZE;
                            payload.write(stream, offset, size);
                            offset += size;
                        }
                        byte[] all = payload.toByteArray();
                        expected.add(java.util.Arrays.copyOf(all, Math.min(all.length, RecordScanner.HEADER_BYTES)));
                    }
                    List<byte[]> seen = new ArrayList<>();
                    RecordScanner scanner = new RecordScanner(CAP, (header, length) -> seen.add(java.util.Arrays.copyOf(header, length)));
                    for (int[] piece : RecordStreams.cut(stream, points)) {
                        scanner.scan(Unpooled.wrappedBuffer(stream, piece[0], piece[1] - piece[0]));
                    }
                    assertEquals(expected.size(), seen.size());
                    for (int i = 0; i < expected.size(); i++) {
                        assertArrayEquals(expected.get(i), seen.get(i), "header of record " + i);
                    }
                });
    }

    @Test
    void anyCorruptedMarkIsDetectedOrPassedThroughNeverCrashing() {
        qt().withExamples(500)
                .forAll(lists().of(lists().of(integers().between(0, 300)).ofSizeBetween(1, 3)).ofSizeBetween(1, 8),
                        integers().allPositive(), integers().between(0, 7), longs().all())
                .checkAssert((records, where, bit, seed) -> {
                    List<Integer> ends = new ArrayList<>();
                    byte[] stream = RecordStreams.encode(records, seed, ends);
                    int index = Math.floorMod(where, stream.length);
                    stream[index] ^= (byte) (1 << bit);
                    byte[] corrupted = stream.clone();
                    RecordScanner scanner = new RecordScanner(CAP);
                    try {
                        scanner.scan(Unpooled.wrappedBuffer(stream));
                    } catch (RecordFramingException expected) {
                        assertTrue(expected.getMessage().contains("exceeds the cap of " + CAP), expected.getMessage());
                    }
                    assertArrayEquals(corrupted, stream, "nothing is altered either way");
                });
    }

    @Test
    void aStreamThatIsNotRecordMarkedIsRefused() {
        RecordScanner scanner = new RecordScanner(RecordMark.DEFAULT_MAX_RECORD);
        ByteBuf http = Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII);
        RecordFramingException e = assertThrows(RecordFramingException.class, () -> scanner.scan(http));
        assertTrue(e.getMessage().contains("exceeds the cap of 1114112 bytes"), e.getMessage());
    }

    @Test
    void aRecordOverTheCapIsRefusedAtItsMarkBeforeAnyPayload() {
        RecordScanner scanner = new RecordScanner(CAP);
        ByteBuf markOnly = Unpooled.buffer().writeInt(RecordMark.of(CAP + 1, true));
        assertThrows(RecordFramingException.class, () -> scanner.scan(markOnly));
    }

    @Test
    void fragmentsAddUpToTheCap() {
        RecordScanner scanner = new RecordScanner(CAP);
        ByteBuf first = Unpooled.buffer().writeInt(RecordMark.of(CAP, false)).writeZero(CAP);
        assertEquals(0, scanner.scan(first));
        ByteBuf emptyLast = Unpooled.buffer().writeInt(RecordMark.of(0, true));
        assertEquals(1, scanner.scan(emptyLast), "a record of exactly the cap, closed by an empty last fragment");
        ByteBuf again = Unpooled.buffer().writeInt(RecordMark.of(CAP, false)).writeZero(CAP).writeInt(RecordMark.of(1, true));
        assertThrows(RecordFramingException.class, () -> scanner.scan(again), "the cap is on the whole record");
    }
}
