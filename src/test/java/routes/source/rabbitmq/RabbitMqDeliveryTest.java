package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.after;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;

import com.rabbitmq.client.Channel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.camel.Exchange;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.UnitOfWorkHelper;
import org.junit.jupiter.api.Test;
import routes.config.IngestProperties;
import routes.pipeline.commit.DatabaseUnavailableException;
import routes.pipeline.IngestExchange;

/** A RabbitMQ delivery → exchange properties, and the pipeline outcome → ack or nack on its channel. */
class RabbitMqDeliveryTest {

    /** No back-off: a failed delivery is nacked at once. */
    static final IngestProperties.Redelivery NO_BACK_OFF = new IngestProperties.Redelivery(5, Duration.ZERO, 2.0, Duration.ZERO);

    final Channel channel = mock(Channel.class);
    // prefetch 4: an ack leaves at once
    final RabbitMqDelivery delivery = new RabbitMqDelivery(new RabbitMqAcknowledger(4, NO_BACK_OFF, 100, Executors.newSingleThreadScheduledExecutor()));

    Exchange delivered(boolean redelivered) {
        return delivered(redelivered, "{\"event_id\":\"e-1\"}");
    }

    Exchange delivered(boolean redelivered, String body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        exchange.setProperty(SpringRabbitMQConstants.CHANNEL, channel);
        exchange.getMessage().setHeader(SpringRabbitMQConstants.DELIVERY_TAG, 42L);
        exchange.getMessage().setHeader(SpringRabbitMQConstants.REDELIVERED, redelivered);
        exchange.getMessage().setHeader(SpringRabbitMQConstants.TIMESTAMP, new Date(1_000L));
        exchange.getMessage().setHeader("x-custom", "from the producer");
        when(channel.isOpen()).thenReturn(true);
        return exchange;
    }

    @Test
    void setsThePipelinePropertiesAndDropsTheIncomingHeaders() {
        Exchange exchange = delivered(true);

        delivery.process(exchange);

        assertThat(exchange.getProperty(IngestExchange.PRIOR_ATTEMPTS)).isEqualTo(1);
        assertThat(exchange.getProperty(IngestExchange.RETRY_IN_PROCESS)).isEqualTo(true);
        assertThat(exchange.getProperty(IngestExchange.ENQUEUED_AT)).isEqualTo(1_000L);
        assertThat(exchange.getMessage().getHeaders()).isEmpty();
    }

    @Test
    void aFirstDeliveryHasNoPriorAttemptsAndAQuorumCountIsTakenAsIs() {
        assertThat(RabbitMqDelivery.priorAttempts(Map.of(SpringRabbitMQConstants.REDELIVERED, false))).isZero();
        assertThat(RabbitMqDelivery.priorAttempts(Map.of(SpringRabbitMQConstants.REDELIVERED, true,
                RabbitMqDelivery.DELIVERY_COUNT, 3L))).isEqualTo(3);
    }

    @Test
    void acksOnlyWhenTheExchangeCompletes() throws Exception {
        Exchange exchange = delivered(false);
        delivery.process(exchange);
        verify(channel, never()).basicAck(anyLong(), anyBoolean());

        UnitOfWorkHelper.doneSynchronizations(exchange, exchange.getExchangeExtension().handoverCompletions());

        verify(channel).basicAck(42L, true);
        verify(channel, never()).basicNack(anyLong(), anyBoolean(), anyBoolean());
    }

    @Test
    void nacksWithRequeueWhenTheExchangeFails() throws Exception {
        Exchange exchange = delivered(false);
        delivery.process(exchange);
        exchange.setException(new IllegalStateException("database down"));

        UnitOfWorkHelper.doneSynchronizations(exchange, exchange.getExchangeExtension().handoverCompletions());

        verify(channel).basicNack(42L, false, true);
        verify(channel, never()).basicAck(anyLong(), anyBoolean());
    }

    static void completed(Exchange exchange) {
        UnitOfWorkHelper.doneSynchronizations(exchange, exchange.getExchangeExtension().handoverCompletions());
    }

    @Test
    void aFailedDeliveryIsHandedBackOnlyAfterItsBackOff() throws Exception {
        var policy = new IngestProperties.Redelivery(5, Duration.ofMillis(400), 2.0, Duration.ofSeconds(10));
        RabbitMqAcknowledger paced = new RabbitMqAcknowledger(4, policy, 100, Executors.newSingleThreadScheduledExecutor());
        try {
            Exchange exchange = delivered(false);
            new RabbitMqDelivery(paced).process(exchange);
            exchange.setException(new IllegalStateException("idempotency store down"));

            completed(exchange);

            verify(channel, after(200).never()).basicNack(anyLong(), anyBoolean(), anyBoolean());
            verify(channel, timeout(2000)).basicNack(42L, false, true);
        } finally {
            paced.close();
        }
    }

    @Test
    void aClassicQueueRedeliveryCarriesEveryFailedDeliveryOfItsMessage() {
        // A classic queue only flags a redelivery: the count is the source's own, per message body.
        for (int delivery = 1; delivery <= 3; delivery++) {
            Exchange failing = delivered(delivery > 1, "{\"event_id\":\"poison\"}");
            this.delivery.process(failing);
            assertThat(failing.getProperty(IngestExchange.PRIOR_ATTEMPTS)).isEqualTo(delivery - 1);
            failing.setException(new IllegalStateException("DLX publish refused"));
            completed(failing);
        }

        Exchange fourth = delivered(true, "{\"event_id\":\"poison\"}");
        delivery.process(fourth);
        Exchange other = delivered(true, "{\"event_id\":\"other\"}");
        delivery.process(other);

        assertThat(fourth.getProperty(IngestExchange.PRIOR_ATTEMPTS)).isEqualTo(3);
        assertThat(other.getProperty(IngestExchange.PRIOR_ATTEMPTS)).isEqualTo(1);

        Exchange outage = delivered(true, "{\"event_id\":\"other\"}");
        delivery.process(outage);
        outage.setException(new DatabaseUnavailableException(new IllegalStateException("connection refused")));
        completed(outage);
        Exchange afterOutage = delivered(true, "{\"event_id\":\"other\"}");
        delivery.process(afterOutage);
        assertThat(afterOutage.getProperty(IngestExchange.PRIOR_ATTEMPTS)).as("an outage is not the message's fault")
                .isEqualTo(1);

        completed(fourth); // settled at last (committed or dead-lettered): its count is forgotten
        Exchange again = delivered(true, "{\"event_id\":\"poison\"}");
        delivery.process(again);
        assertThat(again.getProperty(IngestExchange.PRIOR_ATTEMPTS)).isEqualTo(1);
    }
}
