package routes.source.nats;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code ingest.sources.nats.*}: the NATS JetStream source (stream → durable pull consumer → pipeline).
 *
 * @param enabled       consume from JetStream and register the nats source (publish, dead letters, depth, health)
 * @param url           the NATS server, {@code nats://${NATS_HOST}:${NATS_PORT}}
 * @param stream        the stream consumed (workqueue retention), created if absent
 * @param subject       the subject of that stream the consumer takes, {@code ${QUEUE_SUBJECT}}
 * @param durable       the durable pull consumer shared by every instance of the app
 * @param dlqStream     the dead-letter stream, created if absent
 * @param dlqSubject    the subject dead letters are published to
 * @param batchSize     messages asked for in one pull request
 * @param batching      hand the messages of a pull to the pipeline as batches (valid, new events committed as one
 *                      unit); false: one exchange per message
 * @param maxAckPending messages delivered and not yet acked, over all instances (the server's bound on in-flight)
 * @param maxInFlight   messages one instance has handed to the pipeline and not yet acked or nakked
 * @param concurrency   pull loops per instance
 * @param ackWait       how long JetStream waits for an ack before redelivering (kept alive while in flight)
 * @param maxDeliver    deliveries of one message at most, enforced by the app: the last is retried in process,
 *                      then dead-lettered (the server-side consumer's max_deliver is unlimited, so that a crash
 *                      during the last delivery cannot strand a message)
 * @param fetchTimeout  how long one pull request waits for its batch to fill (messages are handed on as they come)
 * @param duplicateWindow how long JetStream remembers a {@code Nats-Msg-Id} to drop resends (new streams only)
 */
@Validated
@ConfigurationProperties("ingest.sources.nats")
public record NatsSourceProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("nats://localhost:4222") @NotBlank String url,
        @DefaultValue("INGRESS") @NotBlank String stream,
        @DefaultValue("ingress.events") @NotBlank String subject,
        @DefaultValue("ingest_workers") @NotBlank String durable,
        @DefaultValue("INGRESS_DLQ") @NotBlank String dlqStream,
        @DefaultValue("ingress.dlq") @NotBlank String dlqSubject,
        @DefaultValue("500") @Min(1) @Max(10000) int batchSize,
        @DefaultValue("true") boolean batching,
        @DefaultValue("20000") @Min(1) int maxAckPending,
        @DefaultValue("5000") @Min(1) int maxInFlight,
        @DefaultValue("2") @Min(1) @Max(64) int concurrency,
        @DefaultValue("30s") @NotNull Duration ackWait,
        @DefaultValue("5") @Min(1) int maxDeliver,
        @DefaultValue("1s") @NotNull Duration fetchTimeout,
        @DefaultValue("2m") @NotNull Duration duplicateWindow) {
}
