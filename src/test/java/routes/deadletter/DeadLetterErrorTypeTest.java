package routes.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import routes.pipeline.validate.InvalidMessageException;
import routes.pipeline.StepFailedException;

/** The error_type a dead letter is recorded with, by what failed the message. */
class DeadLetterErrorTypeTest {

    @Test
    void aFailedTeamStepIsTypeStep() {
        assertThat(DeadLetterRecorder.errorType(new StepFailedException("acme-shape", new IllegalArgumentException("x"))))
                .isEqualTo("step");
    }

    @Test
    void theOtherTypesAreUnchanged() {
        assertThat(DeadLetterRecorder.errorType(new InvalidMessageException("json",
                List.of(new InvalidMessageException.FieldError("$", "is not JSON"))))).isEqualTo("json");
        assertThat(DeadLetterRecorder.errorType(new IllegalStateException("spent"))).isEqualTo("exhausted");
    }
}
