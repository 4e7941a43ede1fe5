package io.eitrelay.probe.xdr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class XdrTest {
    @Test
    void whatIsWrittenReadsBackAndOpaquesArePaddedToFourBytes() {
        qt().withExamples(300)
                .forAll(lists().of(integers().between(0, 70)).ofSizeBetween(0, 10), integers().all(), longs().all())
                .checkAssert((sizes, i, l) -> {
                    XdrWriter writer = new XdrWriter().writeInt(i).writeLong(l);
                    for (int size : sizes) {
                        byte[] opaque = new byte[size];
                        Arrays.fill(opaque, (byte) size);
                        writer.writeOpaque(opaque);
                    }
                    byte[] bytes = writer.toByteArray();
                    assertEquals(0, bytes.length % 4, "XDR is a multiple of 4 bytes");
                    XdrReader reader = new XdrReader(bytes);
                    assertEquals(i, reader.readInt());
                    assertEquals(l, reader.readLong());
                    for (int size : sizes) {
                        byte[] expected = new byte[size];
                        Arrays.fill(expected, (byte) size);
                        assertArrayEquals(expected, reader.readOpaque(70));
                    }
                    assertEquals(0, reader.remaining());
                });
    }

    @Test
    void lengthsReadFromTheWireAreCapped() {
        byte[] huge = new XdrWriter().writeInt(0x7fff_ffff).toByteArray();
        XdrException e = assertThrows(XdrException.class, () -> new XdrReader(huge).readOpaque(64));
        assertEquals("opaque of 2147483647 bytes exceeds its limit of 64", e.getMessage());
        byte[] negative = new XdrWriter().writeInt(-1).toByteArray();
        assertThrows(XdrException.class, () -> new XdrReader(negative).readOpaque(64));
        byte[] truncated = new XdrWriter().writeInt(8).writeInt(1).toByteArray();
        assertThrows(XdrException.class, () -> new XdrReader(truncated).readOpaque(64), "claims 8 bytes, has 4");
        assertThrows(XdrException.class, () -> new XdrReader(new byte[3]).readInt());
    }

    @Test
    void stringsAreUtf8Opaques() {
        byte[] bytes = new XdrWriter().writeString("/export").toByteArray();
        assertEquals(List.of(0, 0, 0, 7), List.of((int) bytes[0], (int) bytes[1], (int) bytes[2], (int) bytes[3]));
        assertEquals(12, bytes.length);
        assertEquals("/export", new XdrReader(bytes).readString(255));
    }
}
