package routes.chaos;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's RabbitMQ node through the plain Java client: the queue declared with the CONTRACT §2
 * arguments (as the app declares it), persistent messages published with confirms, the dead-letter
 * queue read and left in place (nothing acknowledged: closing the channel returns every copy).
 */
final class RabbitMqChaosBroker implements ChaosBroker {

    private static final int CONFIRM_EVERY = 500;
    private final ChaosConfig config;
    private final Connection connection;

    RabbitMqChaosBroker(ChaosConfig config) throws Exception {
        this.config = config;
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(config.host());
        factory.setPort(config.port());
        factory.setUsername("guest");
        factory.setPassword("guest");
        this.connection = factory.newConnection("chaos-client");
    }

    @Override
    public void publish(List<byte[]> messages) throws Exception {
        try (Channel channel = connection.createChannel()) {
            channel.queueDelete(config.queue());
            channel.queueDelete(config.deadLetterQueue());
            channel.exchangeDelete(config.deadLetterExchange());
            channel.queueDeclare(config.queue(), true, false, false, Map.of(
                    "x-dead-letter-exchange", config.deadLetterExchange(),
                    "x-dead-letter-routing-key", config.deadLetterQueue()));
            channel.confirmSelect();
            AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder()
                    .deliveryMode(2).contentType("application/json").build();
            int n = 0;
            for (byte[] body : messages) {
                channel.basicPublish("", config.queue(), persistent, body);
                if (++n % CONFIRM_EVERY == 0) {
                    channel.waitForConfirmsOrDie(30_000);
                }
            }
            channel.waitForConfirmsOrDie(30_000);
        }
    }

    @Override
    public long leftInSource() throws IOException {
        try (Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(config.queue()).getMessageCount();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
    }

    @Override
    public List<DeadLetterCopy> deadLetterCopies() throws Exception {
        List<DeadLetterCopy> copies = new ArrayList<>();
        Channel channel = connection.createChannel();
        try {
            long ready = channel.queueDeclarePassive(config.deadLetterQueue()).getMessageCount();
            GetResponse response;
            // Bounded by what the queue held: nothing is acknowledged, so nothing comes round again.
            while (copies.size() < ready && (response = channel.basicGet(config.deadLetterQueue(), false)) != null) {
                Map<String, String> headers = new LinkedHashMap<>();
                Map<String, Object> raw = response.getProps().getHeaders();
                if (raw != null) {
                    raw.forEach((k, v) -> headers.put(k, String.valueOf(v)));
                }
                if (response.getProps().getMessageId() != null) {
                    headers.put("message-id", response.getProps().getMessageId());
                }
                copies.add(new DeadLetterCopy(response.getBody(), headers));
            }
        } finally {
            channel.close();
        }
        return copies;
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
