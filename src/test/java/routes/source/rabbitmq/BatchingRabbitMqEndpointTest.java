package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;

import com.rabbitmq.client.Channel;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;

/**
 * {@code spring-rabbitmq-batch:} built from a URI, as a route builds it (no broker: the container is
 * never started): its options, the container it makes, and a container batch through its listener.
 */
class BatchingRabbitMqEndpointTest {

    final DefaultCamelContext camel = new DefaultCamelContext();
    final Channel channel = mock(Channel.class);

    @BeforeEach
    void component() {
        BatchingRabbitMqComponent component = new BatchingRabbitMqComponent();
        component.setConnectionFactory(mock(ConnectionFactory.class));
        camel.addComponent(BatchingRabbitMqComponent.SCHEME, component);
        camel.start();
    }

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    BatchingRabbitMqEndpoint endpoint(String query) {
        return camel.getEndpoint("spring-rabbitmq-batch:default?queues=q&acknowledgeMode=MANUAL&" + query,
                BatchingRabbitMqEndpoint.class);
    }

    static Message message(long tag, String body) {
        MessageProperties properties = new MessageProperties();
        properties.setDeliveryTag(tag);
        properties.setHeader("x-custom", "from the producer");
        return new Message(body.getBytes(), properties);
    }

    @Test
    void theContainerGathersBatchesCappedAtThePrefetch() {
        BatchingRabbitMqEndpoint endpoint = endpoint("prefetchCount=100&batchSize=500&batchWait=7ms");

        SimpleMessageListenerContainer container = (SimpleMessageListenerContainer) endpoint.createMessageListenerContainer();

        assertThat(endpoint.getBatchWait().toMillis()).isEqualTo(7);
        assertThat(container.isConsumerBatchEnabled()).isTrue();
        assertThat(container).extracting("batchSize").isEqualTo(100);
        assertThat(container).extracting("receiveTimeout").isEqualTo(7L);
        assertThat(container).extracting("prefetchCount").isEqualTo(100);
    }

    @Test
    void thePoolKeysMapOntoTheContainersOwnScaling() {
        BatchingRabbitMqEndpoint endpoint = endpoint("concurrentConsumers=2&maxConcurrentConsumers=5"
                + "&startConsumerMinInterval=3s&stopConsumerAfterIdle=20s&batchWait=5ms");

        SimpleMessageListenerContainer container = (SimpleMessageListenerContainer) endpoint.createMessageListenerContainer();

        assertThat(container).extracting("concurrentConsumers").isEqualTo(2);
        assertThat(container).extracting("maxConcurrentConsumers").isEqualTo(5);
        assertThat(container).extracting("startConsumerMinInterval").isEqualTo(3000L);
        assertThat(container).extracting("stopConsumerMinInterval").isEqualTo(20_000L);
        // 20 s of empty receives of 5 ms each
        assertThat(container).extracting("consecutiveIdleTrigger").isEqualTo(4000);
        assertThat(endpoint.activeConsumers()).as("not started").isZero();

        SimpleMessageListenerContainer single = (SimpleMessageListenerContainer)
                endpoint("batching=false&stopConsumerAfterIdle=20s").createMessageListenerContainer();
        assertThat(single).extracting("consecutiveIdleTrigger").as("20 s of 1 s receives").isEqualTo(20);
    }

    @Test
    void withoutBatchingItIsCamelsOwnConsumer() throws Exception {
        BatchingRabbitMqEndpoint endpoint = endpoint("batching=false");

        assertThat(endpoint.createConsumer(exchange -> { })).isNotInstanceOf(BatchingRabbitMqConsumer.class);
        assertThat(((SimpleMessageListenerContainer) endpoint.createMessageListenerContainer()).isConsumerBatchEnabled())
                .isFalse();
    }

    @Test
    void theDirectContainerCannotGatherBatches() {
        BatchingRabbitMqEndpoint endpoint = endpoint("messageListenerContainerType=DMLC");

        assertThatThrownBy(endpoint::createMessageListenerContainer).hasMessageContaining("SMLC");
    }

    @Test
    void aContainerBatchIsOneExchangeOfTheMessagesExchangesBuiltAsCamelBuildsThem() throws Exception {
        List<Exchange> routed = new ArrayList<>();
        Processor route = routed::add;
        BatchingRabbitMqConsumer consumer = (BatchingRabbitMqConsumer) endpoint("asyncConsumer=false").createConsumer(route);
        ChannelAwareBatchMessageListener listener = (ChannelAwareBatchMessageListener) consumer.getEndpointMessageListener();

        listener.onMessageBatch(List.of(message(1, "{\"a\":1}"), message(2, "{\"b\":2}")), channel);

        assertThat(routed).hasSize(1);
        @SuppressWarnings("unchecked")
        List<Exchange> messages = routed.get(0).getMessage().getBody(List.class);
        assertThat(messages).hasSize(2);
        assertThat(messages.get(1).getMessage().getBody(String.class)).isEqualTo("{\"b\":2}");
        assertThat(messages.get(1).getMessage().getHeader(SpringRabbitMQConstants.DELIVERY_TAG)).isEqualTo(2L);
        assertThat(messages.get(1).getMessage().getHeader("x-custom")).isEqualTo("from the producer");
        assertThat(messages.get(1).getProperty(SpringRabbitMQConstants.CHANNEL)).isSameAs(channel);
    }

    @Test
    void aBodyCamelCannotConvertGoesOnAsRawBytesInsteadOfHoldingUpTheBatch() throws Exception {
        List<Exchange> routed = new ArrayList<>();
        BatchingRabbitMqConsumer consumer = (BatchingRabbitMqConsumer) endpoint("asyncConsumer=false")
                .createConsumer(routed::add);
        ChannelAwareBatchMessageListener listener = (ChannelAwareBatchMessageListener) consumer.getEndpointMessageListener();
        Message unknownEncoding = message(7, "{\"c\":3}");
        unknownEncoding.getMessageProperties().setContentType("text/plain");
        unknownEncoding.getMessageProperties().setContentEncoding("no-such-charset");

        listener.onMessageBatch(List.of(message(6, "{}"), unknownEncoding), channel);

        @SuppressWarnings("unchecked")
        List<Exchange> messages = routed.get(0).getMessage().getBody(List.class);
        assertThat(messages).hasSize(2);
        assertThat(messages.get(1).getMessage().getBody()).isEqualTo("{\"c\":3}".getBytes());
        assertThat(messages.get(1).getMessage().getHeader(SpringRabbitMQConstants.DELIVERY_TAG)).isEqualTo(7L);
        assertThat(messages.get(1).getProperty(SpringRabbitMQConstants.CHANNEL)).isSameAs(channel);
    }
}
