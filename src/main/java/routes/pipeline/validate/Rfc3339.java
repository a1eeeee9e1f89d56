package routes.pipeline.validate;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Parses {@code source_timestamp} (RFC 3339 with an offset or Z). The usual shape,
 * {@code yyyy-MM-ddTHH:mm:ss[.fraction](Z|±HH:MM)}, is read by hand: {@link DateTimeFormatter} was
 * the largest single cost of parsing an event in the benchmarks' profiles. Anything else goes to
 * {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME}, so what is accepted and refused does not change.
 */
final class Rfc3339 {

    /** The first and past-the-last instants stored: years 0001 to 9999 in UTC (the {@code day} of a row is its UTC date). */
    static final Instant FIRST_STORABLE = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant END_STORABLE = Instant.parse("+10000-01-01T00:00:00Z");

    private Rfc3339() {
    }

    /** Whether {@code instant} falls in years 0001 to 9999 (UTC), the range the tables and their day keys hold. */
    static boolean storable(Instant instant) {
        return !instant.isBefore(FIRST_STORABLE) && instant.isBefore(END_STORABLE);
    }

    /** The instant, or {@link DateTimeParseException} when it is not RFC 3339 with an offset. */
    static Instant parse(String text) {
        Instant fast = parseCommonShape(text);
        return fast != null ? fast
                : OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    /** The common shape, or null for anything else (including invalid dates: the formatter explains those). */
    static Instant parseCommonShape(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && isDigit(s.charAt(i))) {
                nanos = nanos * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || (i < n && isDigit(s.charAt(i)))) {
                return null;
            }
            for (int k = i - start; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if (oh < 0 || oh > 18 || om < 0 || om > 59 || (oh == 18 && om > 0)) {
                return null;
            }
            offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return null;
        }
        if (day > 28 && day > LocalDate.of(year, month, 1).lengthOfMonth()) {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        long seconds = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /** The non-negative number written by {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
