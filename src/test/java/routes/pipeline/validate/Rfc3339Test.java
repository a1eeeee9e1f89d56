package routes.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written path must agree with the JDK's ISO_OFFSET_DATE_TIME on every input. */
class Rfc3339Test {

    private static Instant jdk(String s) {
        return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-22T10:15:30Z", "2026-11-22T10:15:30.250Z", "2026-11-22T11:15:30.25+01:00",
            "2026-11-22T10:15:30.123456789Z", "2024-02-29T23:59:59.999-05:30", "1970-01-01T00:00:00+18:00",
            "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.1-18:00", "2026-11-22T10:15:30.000000001+00:00"})
    void theCommonShapeIsReadByHandAndAgreesWithTheJdk(String text) {
        assertThat(Rfc3339.parseCommonShape(text)).isNotNull().isEqualTo(jdk(text));
        assertThat(Rfc3339.parse(text)).isEqualTo(jdk(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-22T10:15Z", "2026-11-22t10:15:30z", "2026-11-22T10:15:30.Z"})
    void otherShapesTheJdkAcceptsGoToTheJdk(String text) {
        assertThat(Rfc3339.parseCommonShape(text)).isNull();
        assertThat(Rfc3339.parse(text)).isEqualTo(jdk(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-22T10:15:30", "2026-02-30T10:15:30Z", "2025-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T10:60:00Z", "2026-11-22T10:15:60Z",
            "2026-11-22T10:15:30+0100", "2026-11-22T10:15:30.1234567890Z", "2026-11-22T10:15:30+19:00",
            "2026-11-22T10:15:30+18:01", "2026-11-22 10:15:30Z", "x026-11-22T10:15:30Z", "2026-11-22T10:15:30Zz",
            "2026-11-22T10:15:30+01:0x", ""})
    void whatTheJdkRefusesIsRefused(String text) {
        assertThat(Rfc3339.parseCommonShape(text)).isNull();
        assertThatThrownBy(() -> Rfc3339.parse(text)).isInstanceOf(DateTimeParseException.class);
    }

    @Test
    void randomInstantsAndOffsetsRoundTrip() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 250_000_000_000L),
                    random.nextInt(1_000_000_000));
            int offsetMinutes = random.nextInt(-18 * 60, 18 * 60 + 1);
            String text = instant.atOffset(java.time.ZoneOffset.ofTotalSeconds(offsetMinutes * 60))
                    .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            assertThat(Rfc3339.parse(text)).as(text).isEqualTo(instant);
        }
    }
}
