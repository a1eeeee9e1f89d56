package routes.pipeline;

import java.util.Arrays;

/**
 * Every {@code error_type} the app records, in {@code ingest_errors_total}, {@code ingest_dead_letters_total}
 * and the {@code dead_letters} table. The one list: the metrics register every source's series at 0
 * from it, so an alert on a type that has not happened yet reads 0, not "no data". A new type goes here.
 */
public enum ErrorType {

    /** Not JSON (CONTRACT §1); never retried. */
    JSON("json"),
    /** JSON that breaks a rule of CONTRACT §1; never retried. */
    VALIDATION("validation"),
    /** A message or event over 1 MiB; never retried. */
    TOO_LARGE("too_large"),
    /** PostgreSQL refused the row itself (a constraint, a trigger, a data error). */
    REJECTED("rejected"),
    /** The attempts of a transient failure are spent. */
    EXHAUSTED("exhausted"),
    /** A batch's write failed (an attempt; the message is retried). */
    DATABASE("database"),
    /** PostgreSQL could not be reached (an attempt; the message goes back to its broker). */
    DATABASE_UNAVAILABLE("database_unavailable"),
    /** Anything else that failed a batch (an attempt). */
    INTERNAL("internal"),
    /** A team's route step ({@code per-message:}) failed on the message; never retried. */
    STEP("step"),
    /** The known-devices check: the event's device is not in the devices table; never retried. */
    UNKNOWN_DEVICE("unknown_device"),
    /** The known-devices check: a metric's parameter is not in the parameters table; never retried. */
    UNKNOWN_PARAMETER("unknown_parameter");

    private final String label;

    ErrorType(String label) {
        this.label = label;
    }

    /** The value of the {@code error_type} label and column. */
    public String label() {
        return label;
    }

    /** The type of a label; an unknown label is a programming error (a type missing from this list). */
    public static ErrorType of(String label) {
        return Arrays.stream(values()).filter(t -> t.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown error_type '" + label
                        + "': add it to routes.pipeline.ErrorType"));
    }
}
