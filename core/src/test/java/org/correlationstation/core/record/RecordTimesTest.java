package org.correlationstation.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written record time format and parse agree with java.time's on every kind of instant. */
class RecordTimesTest {
    private static final DateTimeFormatter REFERENCE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void formatsAndParsesLikeJavaTime() {
        SplittableRandom random = new SplittableRandom(11);
        long[] edges = {0, -1, 1, 86_399_999, 86_400_000, 951_782_400_000L /* 2000-02-29 */, 1_709_164_799_999L,
                253_402_300_799_999L /* 9999-12-31T23:59:59.999 */, -62_135_596_800_000L /* 0001-01-01 */,
                1_795_996_800_123L};
        for (long t : edges) check(t);
        for (int i = 0; i < 200_000; i++) check(random.nextLong(-62_135_596_800_000L, 253_402_300_800_000L));
    }

    @Test
    void yearsOutsideOneToNineThousandNineHundredNinetyNineGoThroughTheFormatter() {
        for (long t : new long[] {253_402_300_800_000L /* 10000-01-01 */, -62_135_596_800_001L /* year 0 */}) {
            assertThat(RecordCodec.formatTime(t)).isEqualTo(REFERENCE.format(Instant.ofEpochMilli(t)));
        }
    }

    @Test
    void everyOtherFormIsParsedAsBeforeByInstantParse() {
        for (String text : new String[] {"2026-11-24T00:41:07Z", "2026-11-24T00:41:07.123456Z", "2026-02-30T00:00:00.000Z",
                "2026-13-01T00:00:00.000Z", "2026-11-24T24:00:00.000Z", "2024-02-29T12:00:00.000Z", "2026-11-24 00:41:07.000Z",
                "2026-11-24T00:41:07.000+01:00", "20x6-11-24T00:41:07.000Z"}) {
            Object expected;
            try {
                expected = Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException e) {
                expected = DateTimeParseException.class;
            }
            Object actual;
            try {
                actual = RecordCodec.parseTime(text);
            } catch (DateTimeParseException e) {
                actual = DateTimeParseException.class;
            }
            assertThat(actual).as(text).isEqualTo(expected);
        }
    }

    private static void check(long t) {
        String expected = REFERENCE.format(Instant.ofEpochMilli(t));
        assertThat(RecordCodec.formatTime(t)).as("format %d", t).isEqualTo(expected);
        assertThat(RecordCodec.parseTime(expected)).as("parse %s", expected).isEqualTo(t);
    }
}
