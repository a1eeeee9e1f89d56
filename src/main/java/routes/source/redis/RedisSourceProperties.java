package routes.source.redis;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code ingest.sources.redis.*}: the Redis source (a reliable list queue, or a stream with a consumer
 * group). The connection itself is {@code spring.data.redis.*} (REDIS_HOST, REDIS_PORT, REDIS_DB,
 * REDIS_PASSWORD, REDIS_TLS). docs/sources/redis.md describes each key.
 *
 * @param enabled           consume from Redis, and offer {@code publish-to: redis} and dead-letter replay
 * @param mode              {@code list} (LPUSH producers, reliable move to a processing list) or {@code stream}
 * @param queue             the list producers LPUSH to, consumed FIFO from the right (list mode);
 *                          the stream producers XADD to (stream mode)
 * @param processingList    where taken entries wait until their rows commit (list mode)
 * @param delayedSet        sorted set of entries waiting for a delayed retry, scored by due time (list mode)
 * @param dlq               the list dead letters are LPUSHed to, as a JSON wrapper (both modes)
 * @param group             the consumer group (stream mode; created if absent, reading from the stream's start)
 * @param consumerName      this instance's consumer name in the group (stream mode); unique per instance
 * @param streamField       the stream entry field holding the message (stream mode)
 * @param concurrency       poller threads; each takes up to {@code batchSize} entries per Redis call (the default
 *                          of {@code minConsumers})
 * @param minConsumers      poller threads at least (default: {@code concurrency}; routes.config.PoolDefaults)
 * @param maxConsumers      poller threads at most (default: 2 × {@code minConsumers})
 * @param scaleThreshold    waiting entries per poller: the pool's target is ceil(queue length / this), within min and max
 * @param scaleInterval     how often the queue length is checked
 * @param scaleDownAfter    how long a lower target must hold before the pool shrinks to it
 * @param batchSize         entries taken per Redis call (a Lua script moves them atomically)
 * @param batching          hand the entries of one Redis call to the pipeline as one batch (its valid, new events
 *                          committed as one unit); false: one exchange per entry
 * @param maxInFlight       entries taken but not yet committed, per instance (bounds memory and the processing list)
 * @param visibilityTimeout an entry taken longer ago than this (crashed or stuck instance) is put back
 * @param recoveryInterval  how often the recoverer and the delayed-retry mover run
 * @param recoveryLeader    {@code postgres}: only the instance holding a PostgreSQL advisory lock runs the
 *                          recoverer and the mover, another takes over when it dies; {@code every-instance}: all do
 * @param idempotencyPrefix key prefix of {@code ingest.idempotency.repository=redis}
 * @param idempotencyTtl    how long {@code ingest.idempotency.repository=redis} remembers a committed event
 */
@Validated
@ConfigurationProperties("ingest.sources.redis")
public record RedisSourceProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("list") @Pattern(regexp = "list|stream") String mode,
        @DefaultValue("message_queue") @NotBlank String queue,
        @DefaultValue("message_queue:processing") @NotBlank String processingList,
        @DefaultValue("message_queue:delayed") @NotBlank String delayedSet,
        @DefaultValue("message_queue:dlq") @NotBlank String dlq,
        @DefaultValue("ingest_workers") @NotBlank String group,
        @DefaultValue("ingest-1") @NotBlank String consumerName,
        @DefaultValue("payload") @NotBlank String streamField,
        @DefaultValue("2") @Min(1) @Max(64) int concurrency,
        @Min(1) @Max(64) Integer minConsumers,
        @Min(1) @Max(128) Integer maxConsumers,
        @DefaultValue("1000") @Min(1) int scaleThreshold,
        @DefaultValue("2s") @NotNull Duration scaleInterval,
        @DefaultValue("30s") @NotNull Duration scaleDownAfter,
        @DefaultValue("500") @Min(1) @Max(5000) int batchSize,
        @DefaultValue("true") boolean batching,
        @DefaultValue("10000") @Min(1) int maxInFlight,
        @DefaultValue("60s") @NotNull Duration visibilityTimeout,
        @DefaultValue("1s") @NotNull Duration recoveryInterval,
        @DefaultValue("postgres") @Pattern(regexp = "postgres|every-instance") String recoveryLeader,
        @DefaultValue("ingest:idempotency") @NotBlank String idempotencyPrefix,
        @DefaultValue("7d") @NotNull Duration idempotencyTtl) {

    /** A pool needs max-consumers >= min-consumers (both default from concurrency: routes.config.PoolDefaults). */
    @AssertTrue(message = "max-consumers must be at least min-consumers")
    public boolean isPoolRangeValid() {
        return minConsumers == null || maxConsumers == null || maxConsumers >= minConsumers;
    }

}
