package routes.pipeline.commit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import routes.config.IngestProperties;
import routes.pipeline.IngestExchange;

/**
 * One attempt budget per message: the broker's earlier deliveries plus the failed attempts Camel counted
 * here, against {@code ingest.redelivery.max-attempts} (5 here).
 */
class RetryBudgetTest {

    final DefaultCamelContext camel = new DefaultCamelContext();
    final RetryBudget budget = new RetryBudget(
            new IngestProperties.Redelivery(5, Duration.ofMillis(200), 2.0, Duration.ofSeconds(10)));

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    /** A message after {@code priorDeliveries} deliveries by its broker, with Camel's counter at {@code redeliveries}. */
    Exchange message(int priorDeliveries, Integer redeliveries) {
        Exchange exchange = new DefaultExchange(camel);
        if (priorDeliveries > 0) {
            exchange.setProperty(IngestExchange.PRIOR_ATTEMPTS, priorDeliveries);
        }
        if (redeliveries != null) {
            exchange.getMessage().setHeader(Exchange.REDELIVERY_COUNTER, redeliveries);
        }
        return exchange;
    }

    @Test
    void aFirstFailedAttemptCountsOneBeforeCamelCountsIt() {
        assertThat(budget.attempts(message(0, null))).isEqualTo(1);
        assertThat(budget.attempts(message(0, 0))).isEqualTo(1);
        assertThat(budget.attempts(message(0, 1))).isEqualTo(1);
        assertThat(budget.attempts(message(0, 3))).isEqualTo(3);
    }

    @Test
    void theBrokersEarlierDeliveriesCountAgainstTheSameBudget() {
        assertThat(budget.attempts(message(2, 1))).isEqualTo(3);
        assertThat(budget.attempts(message(4, null))).isEqualTo(5);
        assertThat(budget.exhausted(message(4, 1))).isTrue();
        assertThat(budget.exhausted(message(3, 1))).isFalse();
        assertThat(budget.retryInProcess(message(3, 1))).isTrue();
        assertThat(budget.retryInProcess(message(3, 2))).as("the fifth attempt is the last").isFalse();
    }

    @Test
    void theCountSurvivesTheHeaderBeingDroppedForTheDeadLetters() {
        Exchange exchange = message(1, 3);
        assertThat(budget.attempts(exchange)).isEqualTo(4);
        // Camel restores the original message for the dead-letter channel: the counter header is gone.
        exchange.getMessage().removeHeader(Exchange.REDELIVERY_COUNTER);
        assertThat(budget.attempts(exchange)).isEqualTo(4);
    }

    @Test
    void retriesHereOnlyWhenTheSourceDoesNotRedeliverItself() {
        Exchange inProcess = message(0, 1);
        assertThat(budget.retryInProcess(inProcess)).as("in-process retry is the default").isTrue();

        Exchange sourceRedelivers = message(0, 1);
        sourceRedelivers.setProperty(IngestExchange.RETRY_IN_PROCESS, false);
        assertThat(budget.retryInProcess(sourceRedelivers)).isFalse();
        assertThat(budget.exhausted(sourceRedelivers)).as("but the budget still decides the dead letter").isFalse();
        sourceRedelivers.setProperty(IngestExchange.PRIOR_ATTEMPTS, 4);
        assertThat(budget.exhausted(sourceRedelivers)).isTrue();
    }

    @Test
    void anOutageIsRetriedHereUpToTheBudgetOfRedeliveriesAlone() {
        assertThat(budget.retryUnavailableInProcess(message(0, null))).isTrue();
        assertThat(budget.retryUnavailableInProcess(message(4, 4))).as("prior deliveries do not count").isTrue();
        assertThat(budget.retryUnavailableInProcess(message(0, 5))).isFalse();
    }
}
