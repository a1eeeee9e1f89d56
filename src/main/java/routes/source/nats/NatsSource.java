package routes.source.nats;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.PublishOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.util.Map;
import routes.source.IngestSource;
import routes.source.http.HttpPublisher;

/**
 * The nats {@link IngestSource}: publishes to {@code ingress.events} and {@code ingress.dlq} with a
 * JetStream publish ack, and reads the queue depth from the durable consumer.
 */
public class NatsSource implements IngestSource {

    public static final String NAME = "nats";
    /** JetStream's de-duplication header; resends with the same id within the duplicate window are dropped. */
    public static final String MSG_ID = "Nats-Msg-Id";

    private final Connection connection;
    private final JetStream jetStream;
    private final NatsSourceProperties properties;

    public NatsSource(Connection connection, NatsSourceProperties properties) throws IOException {
        this.connection = connection;
        this.jetStream = connection.jetStream();
        this.properties = properties;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String queue() {
        return properties.subject();
    }

    /**
     * Messages not yet done with: not delivered yet ({@code num_pending}) plus delivered and not acked
     * ({@code num_ack_pending}) — with workqueue retention both are still in the stream. -1 when NATS
     * cannot be asked now.
     */
    @Override
    public long queueDepth() {
        if (connection.getStatus() != Connection.Status.CONNECTED) {
            return -1;
        }
        try {
            ConsumerInfo info = connection.jetStreamManagement().getConsumerInfo(properties.stream(), properties.durable());
            return info.getNumPending() + info.getNumAckPending();
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Publishes with a PubAck; {@code x-message-key} becomes {@code Nats-Msg-Id} so JetStream drops resends
     * (the key, not the event_id: messages of different parameters share an event_id, CONTRACT §1).
     */
    @Override
    public void publish(byte[] body, Map<String, String> headers) throws Exception {
        PublishOptions.Builder options = PublishOptions.builder().expectedStream(properties.stream());
        String messageKey = headers.get(HttpPublisher.MESSAGE_KEY);
        if (messageKey != null && !messageKey.isEmpty()) {
            options.messageId(messageKey);
        }
        send(properties.subject(), body, headers, options.build());
    }

    @Override
    public void publishDeadLetter(byte[] body, Map<String, String> headers) throws Exception {
        send(properties.dlqSubject(), body, headers, PublishOptions.builder().expectedStream(properties.dlqStream()).build());
    }

    private void send(String subject, byte[] body, Map<String, String> headers, PublishOptions options) throws Exception {
        Headers natsHeaders = new Headers();
        headers.forEach((k, v) -> {
            if (v != null) {
                // NATS header values are one line: error messages (SQL errors) often are not.
                natsHeaders.put(k, v.replaceAll("[\\r\\n\\x00-\\x1f]+", " "));
            }
        });
        NatsMessage message = NatsMessage.builder().subject(subject).data(body).headers(natsHeaders).build();
        PublishAck ack = jetStream.publish(message, options);
        if (ack.hasError()) {
            throw new IOException("JetStream refused the message on " + subject + ": " + ack.getError());
        }
    }
}
