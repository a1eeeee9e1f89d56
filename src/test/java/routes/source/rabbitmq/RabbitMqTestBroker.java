package routes.source.rabbitmq;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import routes.support.TestDatabase;

/**
 * The local RabbitMQ as the tests and the benchmark use it, on its own connection (not the app's):
 * a clean slate of queue names, publishing events, reading the dead-letter queue, and
 * {@code rabbitmqctl} for the broker's own counts and for closing the app's connections.
 */
public final class RabbitMqTestBroker implements AutoCloseable {

    public static final String HOST = System.getenv().getOrDefault("RABBITMQ_HOST", "127.0.0.1");

    private final CachingConnectionFactory connectionFactory;
    private final RabbitTemplate template;
    private final RabbitAdmin admin;

    public RabbitMqTestBroker() {
        connectionFactory = new CachingConnectionFactory(HOST, 5672);
        connectionFactory.setUsername("guest");
        connectionFactory.setPassword("guest");
        connectionFactory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
        template = new RabbitTemplate(connectionFactory);
        admin = new RabbitAdmin(connectionFactory);
    }

    public CachingConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    /** Removes the queues and the exchange of a test, so it starts from nothing. */
    public void deleteTopology(String queue, String deadLetterExchange, String deadLetterQueue) {
        admin.deleteQueue(queue);
        admin.deleteQueue(deadLetterQueue);
        admin.deleteExchange(deadLetterExchange);
    }

    /** Publishes persistent messages to a queue through the default exchange, waiting for confirms. */
    /**
     * For a Spring test of the RabbitMQ source: a fresh database and topology, and the app consuming
     * {@code queue} with its dead letters going to {@code deadLetterExchange} → {@code deadLetterQueue}.
     */
    public void sourceProperties(DynamicPropertyRegistry registry, String database, String queue,
                                 String deadLetterExchange, String deadLetterQueue) {
        deleteTopology(queue, deadLetterExchange, deadLetterQueue);
        registry.add("spring.datasource.url", () -> TestDatabase.recreate(database));
        registry.add("spring.datasource.username", () -> TestDatabase.USER);
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.rabbitmq.enabled", () -> "true");
        registry.add("ingest.sources.rabbitmq.queue", () -> queue);
        registry.add("ingest.sources.rabbitmq.dead-letter-exchange", () -> deadLetterExchange);
        registry.add("ingest.sources.rabbitmq.dead-letter-queue", () -> deadLetterQueue);
        registry.add("ingest.sources.rabbitmq.dead-letter-routing-key", () -> deadLetterQueue);
    }

    public void publish(String queue, List<byte[]> bodies) {
        template.invoke(ops -> {
            int n = 0;
            for (byte[] body : bodies) {
                MessageProperties props = new MessageProperties();
                props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
                props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
                props.setTimestamp(new java.util.Date());
                ops.send("", queue, new Message(body, props));
                if (++n % 1000 == 0) {
                    ops.waitForConfirmsOrDie(30_000);
                }
            }
            ops.waitForConfirmsOrDie(30_000);
            return null;
        });
    }

    /** Takes every message waiting in a queue (acked). */
    public List<Message> drain(String queue) {
        List<Message> messages = new ArrayList<>();
        Message m;
        while ((m = template.receive(queue)) != null) {
            messages.add(m);
        }
        return messages;
    }

    /** Ready messages in a queue by the broker's count; -1 when absent. */
    public long ready(String queue) {
        var info = admin.getQueueInfo(queue);
        return info == null ? -1 : info.getMessageCount();
    }

    /** Ready + unacknowledged messages in a queue, from {@code rabbitmqctl list_queues}. */
    public long readyAndUnacked(String queue) {
        for (String line : rabbitmqctl("list_queues", "-q", "--no-table-headers", "name", "messages")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length == 2 && cols[0].equals(queue)) {
                return Long.parseLong(cols[1]);
            }
        }
        return -1;
    }

    /** Closes, broker side, every connection whose client-provided name starts with {@code prefix}. */
    public int closeConnections(String prefix) {
        int closed = 0;
        // The client-provided name is in client_properties as {"connection_name", longstr, "<name>#n"}.
        for (String line : rabbitmqctl("list_connections", "-q", "--no-table-headers", "pid", "client_properties")) {
            String[] cols = line.trim().split("\\s+", 2);
            if (cols.length == 2 && cols[1].contains("\"" + prefix)) {
                rabbitmqctl("close_connection", cols[0], "test: connection dropped mid-stream");
                closed++;
            }
        }
        return closed;
    }

    static List<String> rabbitmqctl(String... args) {
        List<String> command = new ArrayList<>();
        command.add("rabbitmqctl");
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " failed: " + out);
            }
            return out.lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new IllegalStateException("rabbitmqctl not runnable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        connectionFactory.destroy();
    }

    /** A valid event with {@code metrics} metrics (voltage, current, power, ...), its time from {@code i}. */
    public static byte[] event(String eventId, UUID device, int i, int metrics) {
        Instant time = Instant.parse("2026-11-22T00:00:00Z").plus(Duration.ofSeconds(i));
        StringBuilder json = new StringBuilder(256);
        json.append("{\"event_id\":\"").append(eventId).append("\",\"device_id\":\"").append(device)
                .append("\",\"protocol\":\"modbus\",\"source_timestamp\":\"").append(time).append("\",\"metrics\":[");
        for (int m = 0; m < metrics; m++) {
            if (m > 0) {
                json.append(',');
            }
            json.append(String.format(Locale.ROOT, "{\"parameter_key\":\"p%d\",\"value\":%.3f,\"quality\":192}",
                    m, (i % 1000) * 0.5 + m));
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
