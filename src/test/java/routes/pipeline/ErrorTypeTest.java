package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import routes.pipeline.validate.InvalidMessageException;

class ErrorTypeTest {

    @Test
    void theListHoldsEveryTypeOfCONTRACTAndTheAppsOwn() {
        assertThat(Arrays.stream(ErrorType.values()).map(ErrorType::label)).containsExactly("json", "validation",
                "too_large", "rejected", "exhausted", "database", "database_unavailable", "internal", "step",
                "unknown_device", "unknown_parameter");
        for (ErrorType type : ErrorType.values()) {
            assertThat(ErrorType.of(type.label())).isSameAs(type);
        }
    }

    @Test
    void anInvalidMessageOfATypeNotInTheListIsAProgrammingError() {
        assertThat(new InvalidMessageException("validation", List.of()).errorType()).isEqualTo("validation");
        assertThatThrownBy(() -> new InvalidMessageException("vaildation", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("routes.pipeline.ErrorType");
    }
}
