package routes.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;
import routes.deadletter.DeadLetterHeaders;
import routes.deadletter.DeadLetterIdentity;
import routes.deadletter.DeadLetterStore;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.pipeline.ErrorType;
import routes.source.redis.RedisQueueEndpoint;
import routes.status.MessageStatusStore;

/**
 * {@code direct:deliver} → the main server: one delivery attempt per exchange. Delivered → done. Failed
 * → the failure is reported with {@code PUT status} and the message parked in the Redis delayed set
 * until {@code now + retry-interval} (durable; no thread waits): from the delivery queue, the
 * {@code redis-queue:} consumer parks it when the exchange fails with {@link DeliveryRetryLater} (the
 * rewritten entry in {@link RedisQueueEndpoint#REQUEUE_AS}); from any other route, the sink parks it
 * itself. After {@code max-attempts} it goes to {@code dead_letters} and the Redis dead-letter list,
 * and the exchange completes. Any other failure fails the exchange, so the source keeps the message.
 */
public class DeliverySink implements Processor {

    public static final String SOURCE = "delivery";
    private static final Logger LOG = LoggerFactory.getLogger(DeliverySink.class);

    private final DeliveryClient client;
    private final StringRedisTemplate redis;
    private final DeliveryProperties properties;
    private final DeliveryMetrics metrics;
    private final ObjectMapper mapper;
    private final DeadLetterStore deadLetters;
    private final MessageStatusStore status;
    private final TransactionTemplate transaction;
    private final String workerId;

    public DeliverySink(DeliveryClient client, StringRedisTemplate redis, DeliveryProperties properties,
                        DeliveryMetrics metrics, ObjectMapper mapper, DeadLetterStore deadLetters,
                        MessageStatusStore status, TransactionTemplate transaction) {
        this.client = client;
        this.redis = redis;
        this.properties = properties;
        this.metrics = metrics;
        this.mapper = mapper;
        this.deadLetters = deadLetters;
        this.status = status;
        this.transaction = transaction;
        this.workerId = properties.effectiveWorkerId();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        String raw = exchange.getMessage().getMandatoryBody(String.class);
        DeliveryMessage message = DeliveryMessage.parse(mapper, raw);
        exchange.setProperty(DeliveryExchange.MESSAGE_ID, message.messageId());
        int attempt = message.attempts() + 1;
        metrics.started(message.enqueuedAt());
        try {
            track(() -> status.running(SOURCE, message.messageId(), attempt));
            String error = attempt(message);
            if (error == null) {
                metrics.delivered();
                track(() -> status.completed(SOURCE, message.messageId(), attempt));
                return;
            }
            metrics.failed();
            if (attempt >= properties.maxAttempts()) {
                bury(message, attempt, error);
                report(message.messageId(), "failed", attempt, error);
                return;
            }
            long dueAt = System.currentTimeMillis() + properties.retryInterval().toMillis();
            String parked = message.failed(error, dueAt).toJson(mapper);
            // Status first: once parked, the mover may hand the message to another thread at once, whose
            // "running" must not be overwritten by this "queued".
            track(() -> status.queued(SOURCE, message.messageId(), attempt, error));
            report(message.messageId(), "queued", attempt, error);
            metrics.retried();
            if (DeliveryQueue.SOURCE_ROUTE.equals(exchange.getFromRouteId())) {
                exchange.setProperty(RedisQueueEndpoint.REQUEUE_AS, parked.getBytes(StandardCharsets.UTF_8));
                throw new DeliveryRetryLater(message.messageId(), attempt, error);
            }
            redis.opsForZSet().add(properties.delayedSet(), parked, dueAt);
        } finally {
            metrics.finished();
        }
    }

    /** One POST; null when delivered, else the error. Interruption (a stop) is not a failed attempt. */
    private String attempt(DeliveryMessage message) throws InterruptedException {
        long start = System.nanoTime();
        try {
            client.deliver(message.deliveryBody(mapper, workerId));
            return null;
        } catch (IOException | RuntimeException e) {
            LOG.info("Delivery of {} failed (attempt {}): {}", message.messageId(), message.attempts() + 1, describe(e));
            return describe(e);
        } finally {
            metrics.request(start);
        }
    }

    /**
     * Out of attempts: dead_letters row and status in one transaction, then the Redis dead-letter list;
     * the consumer then removes the taken entry. After a crash in between, the entry comes again: its
     * dead_letters row is found recorded, and the Redis list may hold it twice.
     */
    private void bury(DeliveryMessage message, int attempt, String error) {
        OffsetDateTime failedAt = OffsetDateTime.now(ZoneOffset.UTC);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(DeadLetterHeaders.ERROR_TYPE, ErrorType.EXHAUSTED.label());
        headers.put(DeadLetterHeaders.ERROR_MESSAGE, error);
        headers.put(DeadLetterHeaders.ATTEMPTS, Integer.toString(attempt));
        headers.put(DeadLetterHeaders.SOURCE, SOURCE);
        headers.put(DeadLetterHeaders.FAILED_AT, failedAt.toString());
        String original = new DeliveryMessage(message.messageId(), message.payload(), 0, 0, null).toJson(mapper);
        // Once per message: a retry after a crash between this and the bury finds the row recorded.
        String deadLetterId = DeadLetterIdentity.of(SOURCE, properties.queue(), message.messageId(),
                original.getBytes(StandardCharsets.UTF_8));
        headers.put(DeadLetterHeaders.DEAD_LETTER_ID, deadLetterId);
        transaction.executeWithoutResult(tx -> {
            Long row = deadLetters.record(deadLetterId, false, SOURCE, properties.queue(), null, ErrorType.EXHAUSTED.label(),
                    error, attempt, original, headers, failedAt).orElse(null);
            if (properties.trackStatus()) {
                // Linked to its dead letter: the row just written, or (recorded before a crash) found by identity.
                status.failed(SOURCE, message.messageId(), attempt, error, row, deadLetterId);
            }
        });
        ObjectNode entry = (ObjectNode) mapper.valueToTree(headers);
        entry.put("message_id", message.messageId());
        entry.set("payload", message.payload());
        redis.opsForList().leftPush(properties.dlq(), entry.toString());
        metrics.dead();
        LOG.warn("Dead-lettered delivery {} after {} attempts: {}", message.messageId(), attempt, error);
    }

    /** Tells the main server about a failed attempt, when a status path is configured; never fails the message. */
    private void report(String messageId, String state, int attempts, String error) throws InterruptedException {
        if (!client.reportsStatus()) {
            return;
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("status", state);
        body.put("attempt_count", attempts);
        body.put("error_message", error);
        try {
            client.reportStatus(messageId, body.toString());
        } catch (IOException | RuntimeException e) {
            LOG.info("Status report for {} failed: {}", messageId, describe(e));
        }
    }

    /** Status rows are a view of the work, not the work: a failed status write is logged, not retried. */
    private void track(Runnable write) {
        if (!properties.trackStatus()) {
            return;
        }
        try {
            write.run();
        } catch (RuntimeException e) {
            LOG.warn("message_status not updated: {}", e.getMessage());
        }
    }

    static String describe(Throwable e) {
        Throwable root = e;
        StringBuilder text = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            text.append(" <- ").append(root.getClass().getSimpleName()).append(": ").append(root.getMessage());
        }
        return text.length() > 1000 ? text.substring(0, 1000) + "…" : text.toString();
    }
}
