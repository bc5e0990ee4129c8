package org.correlationstation.job.types;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The field encodings of this package's serializers: varints for counts, length-prefixed UTF-8 for text,
 * and OpenTelemetry ids as their raw 8 or 16 bytes. Flink's own String encoding goes through a
 * thread-local char buffer per string, which profiled as the single largest cost of reading state.
 */
public final class CompactEncoding {
    private static final HexFormat HEX = HexFormat.of();
    private static final int NULL_ID = 0;
    private static final int ID_8 = 1;
    private static final int ID_16 = 2;
    /** Anything that is not lowercase hex of 16 or 32 digits (tests and legacy ids) is kept as text. */
    private static final int ID_TEXT = 3;
    private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NIBBLES = new byte['f' + 1];

    static {
        Arrays.fill(NIBBLES, (byte) -1);
        for (int i = 0; i < 16; i++) NIBBLES[DIGITS[i]] = (byte) i;
    }

    private CompactEncoding() {}

    public static void writeVarLong(DataOutputView out, long value) throws IOException {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    public static long readVarLong(DataInputView in) throws IOException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new IOException("malformed varint in state or record");
    }

    public static void writeVarInt(DataOutputView out, int value) throws IOException {
        writeVarLong(out, value & 0xFFFFFFFFL);
    }

    public static int readVarInt(DataInputView in) throws IOException {
        return (int) readVarLong(in);
    }

    public static void writeString(DataOutputView out, String s) throws IOException {
        if (s == null) {
            writeVarInt(out, 0);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(out, bytes.length + 1);
        out.write(bytes);
    }

    public static String readString(DataInputView in) throws IOException {
        int n = readVarInt(in);
        if (n == 0) return null;
        byte[] bytes = new byte[n - 1];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public static void writeId(DataOutputView out, String id) throws IOException {
        if (id == null) {
            out.writeByte(NULL_ID);
            return;
        }
        // One pass over the digits, not a check and then a parse: every keyed state access and every
        // heap timer a checkpoint writes serialises its trace id here (a third of the CPU of the
        // correlator's synchronous checkpoint part in a profile; hex ids, 13% of local mode's correlator).
        int length = id.length();
        if (length == 16 || length == 32) {
            long high = 0;
            long low = 0;
            int invalid = 0;
            for (int i = 0; i < 16; i++) {
                int n = nibble(id.charAt(i));
                invalid |= n;
                high = high << 4 | (n & 0xF);
            }
            for (int i = 16; i < length; i++) {
                int n = nibble(id.charAt(i));
                invalid |= n;
                low = low << 4 | (n & 0xF);
            }
            if (invalid >= 0) {
                out.writeByte(length == 16 ? ID_8 : ID_16);
                out.writeLong(high);
                if (length == 32) out.writeLong(low);
                return;
            }
        }
        out.writeByte(ID_TEXT);
        writeString(out, id);
    }

    public static String readId(DataInputView in) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case NULL_ID:
                return null;
            case ID_8:
                return HEX.toHexDigits(in.readLong());
            case ID_16: {
                byte[] digits = new byte[32];
                putHex(digits, 0, in.readLong());
                putHex(digits, 16, in.readLong());
                return new String(digits, StandardCharsets.ISO_8859_1);
            }
            case ID_TEXT:
                return readString(in);
            default:
                throw new IOException("malformed id tag " + tag + " in state or record");
        }
    }

    /** Whether {@code id} is lowercase hex of {@code digits} digits (a canonical OpenTelemetry id). */
    public static boolean isHexId(String id, int digits) {
        return id.length() == digits && isLowerHex(id);
    }

    private static boolean isLowerHex(String s) {
        int invalid = 0;
        for (int i = 0; i < s.length(); i++) invalid |= nibble(s.charAt(i));
        return invalid >= 0;
    }

    /** The value of a lowercase hex digit, or -1. */
    private static int nibble(char c) {
        return c < NIBBLES.length ? NIBBLES[c] : -1;
    }

    private static void putHex(byte[] into, int at, long value) {
        for (int i = 15; i >= 0; i--) {
            into[at + i] = DIGITS[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}
