package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;

import com.rabbitmq.client.Channel;
import java.util.Date;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.UnitOfWorkHelper;
import org.junit.jupiter.api.Test;
import routes.pipeline.IngestExchange;

/** A RabbitMQ delivery → exchange properties, and the pipeline outcome → ack or nack on its channel. */
class RabbitMqDeliveryTest {

    final Channel channel = mock(Channel.class);
    final RabbitMqDelivery delivery = new RabbitMqDelivery(new RabbitMqAcknowledger(4)); // prefetch 4: an ack leaves at once

    Exchange delivered(boolean redelivered) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
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
}
