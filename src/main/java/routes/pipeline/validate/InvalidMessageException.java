package routes.pipeline.validate;

import java.util.List;
import routes.pipeline.ErrorType;

/**
 * A message that breaks CONTRACT §1. Never retried: it goes straight to the dead letters with its
 * {@link #errorType()} ({@code too_large}, {@code json} or {@code validation}).
 */
public class InvalidMessageException extends RuntimeException {

    private final String errorType;
    private final List<FieldError> errors;

    /** @param errorType a label of {@link ErrorType}: json, validation or too_large */
    public InvalidMessageException(String errorType, List<FieldError> errors) {
        super(describe(errorType, errors));
        this.errorType = ErrorType.of(errorType).label();
        this.errors = List.copyOf(errors);
    }

    public String errorType() {
        return errorType;
    }

    public List<FieldError> errors() {
        return errors;
    }

    private static String describe(String errorType, List<FieldError> errors) {
        StringBuilder sb = new StringBuilder(errorType);
        for (FieldError e : errors) {
            sb.append(sb.length() == errorType.length() ? ": " : "; ").append(e.field()).append(' ').append(e.message());
        }
        // The message quotes the input at times (a broken JSON token): it must still be storable as error_message.
        return StorableText.printable(sb.toString());
    }

    /** One broken rule: the JSON path of the field and what is wrong with it. */
    public record FieldError(String field, String message) {
    }
}
