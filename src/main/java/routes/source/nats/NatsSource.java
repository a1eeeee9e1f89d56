package routes.source.nats;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.deadletter.DeadLetterHeaders;
import routes.source.IngestSource;
import routes.source.PublishRefusedException;
import routes.source.http.HttpPublisher;

/**
 * The nats {@link IngestSource}: publishes to {@code ingress.events} and {@code ingress.dlq} with a
 * JetStream publish ack, and reads the queue depth from the durable consumer. A publish NATS cannot take
 * now (not connected, the stream full: its limits refuse new messages) fails with
 * {@link PublishRefusedException}, so HTTP {@code publish-to: nats} answers 503 with Retry-After.
 */
public class NatsSource implements IngestSource {

    public static final String NAME = "nats";
    /** JetStream's de-duplication header; resends with the same id within the duplicate window are dropped. */
    public static final String MSG_ID = "Nats-Msg-Id";
    private static final Logger LOG = LoggerFactory.getLogger(NatsSource.class);

    /** JetStream's "stream store failed" (max_msgs / max_bytes reached with discard new, or storage full). */
    private static final int STREAM_STORE_FAILED = 10077;
    /** JetStream's "insufficient resources" (the server or account has no room for the message). */
    private static final int INSUFFICIENT_RESOURCES = 10023;

    private final NatsConnector nats;
    private final NatsSourceProperties properties;

    public NatsSource(NatsConnector nats, NatsSourceProperties properties) {
        this.nats = nats;
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
        Connection connection = nats.connected();
        if (connection == null) {
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
     * (the key, not the event_id: messages of different parameters share an event_id, CONTRACT §1). With HTTP
     * status tracking, {@code x-status-id} (the message's status id) is the {@code Nats-Msg-Id} instead, so that
     * the consumer's tracking continues the row the 202 wrote; JetStream then drops a resend of the same message
     * id (or of the same body, when the id is its hash) within the duplicate window.
     */
    @Override
    public void publish(byte[] body, Map<String, String> headers) throws Exception {
        PublishOptions.Builder options = PublishOptions.builder().expectedStream(properties.stream());
        String messageKey = headers.getOrDefault(HttpPublisher.STATUS_ID, headers.get(HttpPublisher.MESSAGE_KEY));
        if (messageKey != null && !messageKey.isEmpty()) {
            options.messageId(NatsHeaderValue.encode(messageKey));
        }
        send(properties.subject(), body, NatsHeaderValue.headers(headers), options.build());
    }

    /**
     * The body unchanged, with the headers made NATS-safe ({@link NatsHeaderValue}) and, for a body close
     * to max_payload, shortened to fit ({@link NatsDeadLetterHeaders}). A body that cannot fit even alone
     * (only when the DLQ's server takes less than the stream it came from) gets no copy: the
     * {@code dead_letters} row is then the dead letter.
     */
    @Override
    public void publishDeadLetter(byte[] body, Map<String, String> headers) throws Exception {
        publishDeadLetters(List.of(new DeadLetterCopy(body, headers)));
    }

    /** Publishes them all asynchronously, then waits for their PubAcks: one wait for the batch instead of one per copy. */
    @Override
    public void publishDeadLetters(List<DeadLetterCopy> copies) throws Exception {
        Connection connection = nats.connected();
        if (connection == null) {
            throw refused("dead letter not published: " + nats.unavailableReason(), null);
        }
        JetStream jetStream = jetStream();
        PublishOptions options = PublishOptions.builder().expectedStream(properties.dlqStream()).build();
        String subject = properties.dlqSubject();
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>(copies.size());
        for (DeadLetterCopy copy : copies) {
            Headers fitted = fitted(copy, connection);
            if (fitted != null) {
                NatsMessage message = NatsMessage.builder().subject(subject).data(copy.body()).headers(fitted).build();
                acks.add(jetStream.publishAsync(message, options));
            }
        }
        // Each ack within the timeout of a synchronous publish, counted from the one before.
        long timeout = connection.getOptions().getConnectionTimeout().toNanos();
        for (CompletableFuture<PublishAck> ack : acks) {
            try {
                checked(ack.get(timeout, TimeUnit.NANOSECONDS), subject);
            } catch (ExecutionException e) {
                throw failure(e.getCause() instanceof Exception cause ? cause : e, subject, options);
            } catch (TimeoutException e) {
                throw failure(new IOException("timed out", e), subject, options);
            }
        }
    }

    /**
     * The copy's headers made NATS-safe and, for a body close to max_payload, shortened to fit
     * ({@link NatsDeadLetterHeaders}); null when the body cannot fit even alone (only when the DLQ's server
     * takes less than the stream it came from): no copy then, the {@code dead_letters} row is the dead letter.
     */
    private Headers fitted(DeadLetterCopy copy, Connection connection) {
        byte[] body = copy.body();
        Map<String, String> headers = copy.headers();
        Headers fitted = NatsDeadLetterHeaders.fit(body, headers, connection.getMaxPayload(), properties.dlqStream());
        if (fitted == null) {
            LOG.warn("Dead letter {} of {} bytes exceeds NATS max_payload {}: no copy in {}, kept in dead_letters only",
                    headers.get(DeadLetterHeaders.DEAD_LETTER_ID), body.length, connection.getMaxPayload(),
                    properties.dlqStream());
        } else if (fitted.containsKey(NatsDeadLetterHeaders.TRUNCATED)) {
            LOG.info("Dead letter {} of {} bytes: headers shortened to fit NATS max_payload {}",
                    headers.get(DeadLetterHeaders.DEAD_LETTER_ID), body.length, connection.getMaxPayload());
        }
        return fitted;
    }

    private void send(String subject, byte[] body, Headers headers, PublishOptions options) throws Exception {
        NatsMessage message = NatsMessage.builder().subject(subject).data(body).headers(headers).build();
        PublishAck ack;
        try {
            ack = jetStream().publish(message, options);
        } catch (JetStreamApiException | IOException e) {
            throw failure(e, subject, options);
        }
        checked(ack, subject);
    }

    private JetStream jetStream() throws IOException, PublishRefusedException {
        JetStream jetStream = nats.jetStreamNow();
        if (jetStream == null) {
            throw refused("not published: " + nats.unavailableReason(), null);
        }
        return jetStream;
    }

    private static void checked(PublishAck ack, String subject) throws IOException {
        if (ack.hasError()) {
            throw new IOException("JetStream refused the message on " + subject + ": " + ack.getError());
        }
    }

    /** A publish that failed: refused for now when NATS cannot take it now (the stream full, no ack in time). */
    private Exception failure(Exception e, String subject, PublishOptions options) {
        if (e instanceof JetStreamApiException api) {
            if (api.getApiErrorCode() == STREAM_STORE_FAILED || api.getApiErrorCode() == INSUFFICIENT_RESOURCES
                    || api.getErrorCode() == 503) {
                return refused("JetStream stream " + options.getExpectedStream() + " refused the message (full: its limits"
                        + " refuse new messages until it is consumed): " + api.getErrorDescription(), api);
            }
            return api;
        }
        if (e instanceof IOException) {
            // No PubAck in time (NATS going away, JetStream busy): not safe, the sender should try again.
            return refused("no JetStream ack for " + subject + ": " + e.getMessage(), e);
        }
        return e;
    }

    private PublishRefusedException refused(String message, Throwable cause) {
        return new PublishRefusedException(message, properties.retryAfter(), cause);
    }
}
