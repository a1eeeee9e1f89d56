package routes.source.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheCapAndStartsOverAfterASuccess() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500));
        assertThat(backoff.failed()).isEqualTo(100);
        assertThat(backoff.failed()).isEqualTo(200);
        assertThat(backoff.failed()).isEqualTo(400);
        assertThat(backoff.failed()).isEqualTo(500);
        assertThat(backoff.failed()).isEqualTo(500);
        backoff.succeeded();
        assertThat(backoff.currentMillis()).isEqualTo(100);
    }

    @Test
    void theBrokerDefaultIs100msTo5s() {
        Backoff backoff = Backoff.forBroker();
        long last = 0;
        for (int i = 0; i < 10; i++) {
            last = backoff.failed();
        }
        assertThat(last).isEqualTo(5000);
    }
}
