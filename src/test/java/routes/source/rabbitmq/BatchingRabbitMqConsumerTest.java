package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.rabbitmq.client.Channel;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.UnitOfWorkHelper;
import org.junit.jupiter.api.Test;
import routes.pipeline.IngestExchange;

/**
 * A batch from {@code spring-rabbitmq-batch:}: every message of it is registered for settling, takes the
 * batch's source and queue, and is acked or nacked by its own outcome when the batch is done.
 */
class BatchingRabbitMqConsumerTest {

    final CamelContext camel = new DefaultCamelContext();
    final Channel channel = mock(Channel.class);
    final RabbitMqDelivery delivery = new RabbitMqDelivery( // prefetch 4: acks leave at once; no back-off
            new RabbitMqAcknowledger(4, RabbitMqDeliveryTest.NO_BACK_OFF, 100,
                    java.util.concurrent.Executors.newSingleThreadScheduledExecutor()));

    Exchange message(long tag) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(SpringRabbitMQConstants.CHANNEL, channel);
        exchange.getMessage().setHeader(SpringRabbitMQConstants.DELIVERY_TAG, tag);
        exchange.getMessage().setHeader(SpringRabbitMQConstants.REDELIVERED, false);
        exchange.getMessage().setBody(new byte[] {'{', '}'});
        return exchange;
    }

    Exchange batch(List<Exchange> messages) {
        Exchange batch = new DefaultExchange(camel);
        batch.setProperty(IngestExchange.SOURCE, RabbitMqSource.NAME);
        batch.setProperty(IngestExchange.QUEUE, "q");
        batch.getMessage().setBody(messages);
        return batch;
    }

    List<Exchange> messages(long... tags) {
        List<Exchange> messages = new ArrayList<>();
        for (long tag : tags) {
            messages.add(message(tag));
        }
        return messages;
    }

    @Test
    void everyMessageOfABatchTakesTheSourceAndIsRegistered() throws Exception {
        when(channel.isOpen()).thenReturn(true);
        List<Exchange> messages = messages(1, 2, 3);

        delivery.process(batch(messages));

        for (Exchange message : messages) {
            assertThat(message.getProperty(IngestExchange.SOURCE)).isEqualTo(RabbitMqSource.NAME);
            assertThat(message.getProperty(IngestExchange.QUEUE)).isEqualTo("q");
            assertThat(message.getProperty(IngestExchange.PRIOR_ATTEMPTS)).isEqualTo(0);
            assertThat(message.getMessage().getHeaders()).isEmpty();
        }
        verify(channel, never()).basicAck(anyLong(), anyBoolean());
    }

    @Test
    void eachMessageIsSettledByItsOwnOutcomeAndABatchFailureFailsTheRest() throws Exception {
        when(channel.isOpen()).thenReturn(true);
        List<Exchange> messages = messages(1, 2, 3);
        Exchange batch = batch(messages);
        delivery.process(batch);

        // Message 1 finished on its own before (a route it went through completed it): not settled twice.
        Exchange first = messages.get(0);
        UnitOfWorkHelper.doneSynchronizations(first, first.getExchangeExtension().handoverCompletions());
        messages.get(1).setException(new IllegalStateException("this one failed"));
        batch.setException(new IllegalStateException("the batch failed as a whole"));

        BatchingRabbitMqConsumer.completeMessages(batch, messages);

        verify(channel).basicAck(1L, true);
        verify(channel).basicNack(2L, false, true);
        verify(channel).basicNack(3L, false, true);
        verify(channel, never()).basicAck(2L, true);
        verify(channel, never()).basicAck(3L, true);
    }

    @Test
    void aBatchDoneWithoutFailureAcksEveryMessage() throws Exception {
        when(channel.isOpen()).thenReturn(true);
        List<Exchange> messages = messages(7, 8, 9);
        Exchange batch = batch(messages);
        delivery.process(batch);

        BatchingRabbitMqConsumer.completeMessages(batch, messages);

        verify(channel).basicAck(7L, true);
        verify(channel).basicAck(8L, true);
        verify(channel).basicAck(9L, true);
        verify(channel, never()).basicNack(anyLong(), anyBoolean(), anyBoolean());
    }

    @Test
    void aMessageFromAChannelClosedMeanwhileIsLeftToTheBrokersRedelivery() throws Exception {
        when(channel.isOpen()).thenReturn(false);
        List<Exchange> messages = messages(5);
        Exchange batch = batch(messages);
        delivery.process(batch);

        BatchingRabbitMqConsumer.completeMessages(batch, messages);

        verify(channel, never()).basicAck(anyLong(), anyBoolean());
        verify(channel, never()).basicNack(anyLong(), anyBoolean(), anyBoolean());
    }
}
