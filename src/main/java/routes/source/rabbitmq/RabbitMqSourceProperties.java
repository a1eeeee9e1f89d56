package routes.source.rabbitmq;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code ingest.sources.rabbitmq.*}: the RabbitMQ source (queue → pipeline, dead letters → DLX).
 * The connection itself is {@code spring.rabbitmq.*} ({@code RABBITMQ_HOST}, {@code RABBITMQ_PORT}, ...).
 *
 * @param enabled              consume the queue, declare the topology, publish and dead-letter via RabbitMQ
 * @param queue                the durable queue consumed (and published to by HTTP {@code publish-to} and replay)
 * @param deadLetterExchange   the durable direct exchange dead letters go to (also the queue's {@code x-dead-letter-exchange})
 * @param deadLetterQueue      the durable queue bound to the dead-letter exchange
 * @param deadLetterRoutingKey the routing/binding key of dead letters (also the queue's {@code x-dead-letter-routing-key})
 * @param concurrency          consumers started at once (each its own channel and prefetch window); the default
 *                             of {@code minConsumers}
 * @param minConsumers         the container's consumers at least, its {@code concurrentConsumers} (default:
 *                             {@code concurrency}; routes.config.PoolDefaults)
 * @param maxConsumers         consumers the container may add while the queue stays busy, its
 *                             {@code maxConcurrentConsumers} (default: 2 × {@code minConsumers})
 * @param scaleInterval        a consumer is added at most once per this, after 10 busy receives in a row
 *                             (Spring AMQP's {@code startConsumerMinInterval})
 * @param scaleDownAfter       an added consumer idle this long is stopped, at most one per this (Spring AMQP's
 *                             {@code consecutiveIdleTrigger} and {@code stopConsumerMinInterval})
 * @param prefetch             unacknowledged messages the broker hands one consumer; must cover a few batches
 *                             in flight, because messages stay unacked until their batch commits
 * @param confirmTimeout       the longest a publish waits for the broker's confirm
 * @param batching             hand the messages received together to the pipeline as one batch (their valid,
 *                             new events committed as one unit); false: each message alone through direct:ingest
 * @param batchSize            messages per batch at most; 1000 by default, half the default prefetch, so that two
 *                             batches per consumer are in flight (docs/benchmarks.md session 14: 500 and 2000 drained
 *                             a 200,000-event backlog 10-13 % slower)
 * @param batchWait            how long a consumer waits for more messages before it hands on a partial batch;
 *                             25 ms by default (5 ms made three times the commits, docs/benchmarks.md session 20)
 * @param failedMessagesRemembered messages whose failed deliveries this instance counts at most (a classic queue
 *                             does not count them); the oldest are forgotten first
 * @param clientMetrics        the RabbitMQ Java client's own meters ({@code rabbitmq_consumed_total},
 *                             {@code rabbitmq_acknowledged_total}, ...): off by default, because the client keeps
 *                             every unacked delivery tag of a channel in a hash set for them and walks the whole
 *                             set on every {@code multiple} ack (5 % of the app's CPU samples at prefetch 2000);
 *                             the source's own {@code ingest_*} meters count the same messages
 *                             ({@link RabbitMqClientMetrics})
 */
@Validated
@ConfigurationProperties("ingest.sources.rabbitmq")
public record RabbitMqSourceProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("analytics.raw.q") @NotBlank String queue,
        @DefaultValue("analytics.dlx") @NotBlank String deadLetterExchange,
        @DefaultValue("analytics.raw.dlq") @NotBlank String deadLetterQueue,
        @DefaultValue("analytics.raw.dlq") @NotBlank String deadLetterRoutingKey,
        @DefaultValue("2") @Min(1) @Max(64) int concurrency,
        @Min(1) @Max(64) Integer minConsumers,
        @Min(1) @Max(128) Integer maxConsumers,
        @DefaultValue("10s") @NotNull Duration scaleInterval,
        @DefaultValue("30s") @NotNull Duration scaleDownAfter,
        @DefaultValue("2000") @Min(1) @Max(65535) int prefetch,
        @DefaultValue("10s") @NotNull Duration confirmTimeout,
        @DefaultValue("true") boolean batching,
        @DefaultValue("1000") @Min(1) @Max(10000) int batchSize,
        @DefaultValue("25ms") @NotNull Duration batchWait,
        @DefaultValue("10000") @Min(1) int failedMessagesRemembered,
        @DefaultValue("false") boolean clientMetrics) {

    /** A pool needs max-consumers >= min-consumers (both default from concurrency: routes.config.PoolDefaults). */
    @AssertTrue(message = "max-consumers must be at least min-consumers")
    public boolean isPoolRangeValid() {
        return minConsumers == null || maxConsumers == null || maxConsumers >= minConsumers;
    }
}
