package routes.source.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.Test;
import routes.config.IngestProperties;
import routes.pipeline.commit.DatabaseUnavailableException;

class SettlementRuleTest {

    private static final IngestProperties.Redelivery REDELIVERY =
            new IngestProperties.Redelivery(5, Duration.ofMillis(200), 2.0, Duration.ofSeconds(10));
    private final SettlementRule handBack = new SettlementRule(RetryDelay.exponential(REDELIVERY), false);
    private final SettlementRule keepWhileDown = new SettlementRule(RetryDelay.exponential(REDELIVERY), true);
    private final Exception databaseDown = new RuntimeCamelException(
            new DatabaseUnavailableException(new SQLTransientConnectionException("refused")));

    @Test
    void noExceptionIsAnAckWhateverTheOutcome() {
        assertThat(handBack.decide(null, 1, false, false)).isEqualTo(Decision.ACK);
        assertThat(handBack.decide(null, 9, true, true)).isEqualTo(Decision.ACK);
    }

    @Test
    void aFailureIsRetriedLaterWithTheDelayOfItsAttemptAndSpendsIt() {
        Decision first = handBack.decide(new IllegalStateException("boom"), 1, false, false);
        assertThat(first.kind()).isEqualTo(Decision.Kind.RETRY_LATER);
        assertThat(first.delay()).isEqualTo(Duration.ofMillis(200));
        assertThat(first.countsAsAttempt()).isTrue();
        assertThat(handBack.decide(new IllegalStateException("boom"), 3, false, false).delay())
                .isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void theDatabaseDownAnywhereInTheCauseChainSpendsNoAttempt() {
        Decision decision = handBack.decide(databaseDown, 2, false, false);
        assertThat(decision.kind()).isEqualTo(Decision.Kind.RETRY_LATER);
        assertThat(decision.countsAsAttempt()).isFalse();
        assertThat(Failures.databaseDown(new IllegalStateException("other"))).isFalse();
    }

    @Test
    void aSourceWhoseHandBackWouldBurnADeliveryKeepsTheMessageWhileTheDatabaseIsDown() {
        Decision decision = keepWhileDown.decide(databaseDown, 2, false, false);
        assertThat(decision.kind()).isEqualTo(Decision.Kind.KEEP);
        assertThat(decision.countsAsAttempt()).isFalse();
    }

    @Test
    void theLastDeliveryIsKeptBecauseNothingWouldRedeliverIt() {
        assertThat(keepWhileDown.decide(new IllegalStateException("boom"), 5, true, false).kind())
                .isEqualTo(Decision.Kind.KEEP);
    }

    @Test
    void anAttemptInterruptedByAStopIsKeptNotCountedAsAFailure() {
        Exception interrupted = new RuntimeCamelException(new InterruptedException("stop"));
        assertThat(handBack.decide(interrupted, 1, false, true).kind()).isEqualTo(Decision.Kind.KEEP);
        assertThat(handBack.decide(interrupted, 1, false, false).kind())
                .as("not stopping: an ordinary failure").isEqualTo(Decision.Kind.RETRY_LATER);
    }

    @Test
    void aFixedRetryDelayIsTheSameAfterEveryAttempt() {
        SettlementRule fixed = new SettlementRule(RetryDelay.fixed(Duration.ofSeconds(30)), false);
        assertThat(fixed.decide(new IllegalStateException("x"), 1, false, false).delay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(fixed.decide(new IllegalStateException("x"), 9999, false, false).delay()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aSettlementCarriesOutTheDecision() {
        StringBuilder seen = new StringBuilder();
        Settlement<String> settlement = new Settlement<>() {
            @Override
            public void ack(String d) {
                seen.append("ack:").append(d).append(' ');
            }

            @Override
            public void retryLater(String d, Decision decision, Exception failure) {
                seen.append("retry:").append(d).append(':').append(decision.delay().toMillis()).append(' ');
            }

            @Override
            public void keep(String d, Decision decision, Exception failure) {
                seen.append("keep:").append(d).append(' ');
            }
        };
        settlement.settle("a", handBack.decide(null, 1, false, false), null);
        settlement.settle("b", handBack.decide(new IllegalStateException(), 2, false, false), null);
        settlement.settle("c", keepWhileDown.decide(databaseDown, 1, false, false), databaseDown);
        assertThat(seen.toString().trim()).isEqualTo("ack:a retry:b:400 keep:c");
    }
}
