package routes.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Every {@code ingest.*} key the application reads. Defaults live here and in application.yml;
 * docs/configuration.md lists each key.
 */
@Validated
@ConfigurationProperties("ingest")
public record IngestProperties(
        @Valid @NotNull @DefaultValue Batch batch,
        @Valid @NotNull @DefaultValue Redelivery redelivery,
        @Valid @NotNull @DefaultValue Idempotency idempotency,
        @Valid @NotNull @DefaultValue EmbeddedDb embeddedDb,
        @Valid @NotNull @DefaultValue Shutdown shutdown) {

    /**
     * The batch aggregator in front of the database.
     *
     * @param size      rows that complete a batch
     * @param timeout   the longest a row waits for its batch to fill
     * @param writers   batches written to the database at once
     * @param maxPendingRows rows accepted but not yet committed before sources are slowed down
     */
    public record Batch(
            @DefaultValue("4000") @Min(1) @Max(20000) int size,
            @DefaultValue("50ms") @NotNull Duration timeout,
            @DefaultValue("2") @Min(1) @Max(64) int writers,
            @DefaultValue("50000") @Min(1) int maxPendingRows) {
    }

    /**
     * One retry budget per message, whatever the source: broker redeliveries and in-process retries
     * together make at most {@code maxAttempts} attempts.
     *
     * @param maxAttempts   attempts in total before a message is dead-lettered
     * @param initialDelay  delay before the second attempt
     * @param multiplier    back-off multiplier (1 = the fixed interval policy)
     * @param maxDelay      cap on one delay
     */
    public record Redelivery(
            @DefaultValue("5") @Min(1) int maxAttempts,
            @DefaultValue("200ms") @NotNull Duration initialDelay,
            @DefaultValue("2.0") @DecimalMin("1.0") double multiplier,
            @DefaultValue("10s") @NotNull Duration maxDelay) {

        /** The delay to wait after {@code failedAttempts} failed attempts (1 = after the first). */
        public Duration delayAfter(int failedAttempts) {
            double millis = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempts - 1));
            return Duration.ofMillis((long) Math.min(millis, maxDelay.toMillis()));
        }
    }

    /**
     * The idempotent consumer on events.
     *
     * @param repository {@code memory} (a bounded memory of recently committed event keys, per instance),
     *                   {@code redis} (shared by instances), or {@code none}
     * @param cacheSize  keys kept by the memory repository: at least the last {@code cacheSize} added, at most
     *                   twice as many
     */
    public record Idempotency(
            @DefaultValue("memory") @NotBlank String repository,
            @DefaultValue("100000") @Min(1) int cacheSize) {
    }

    /**
     * The embedded PostgreSQL of the no-services default.
     *
     * @param enabled   start it and point the datasource at it
     * @param port      the port it listens on (127.0.0.1)
     * @param dataDirectory where its data is kept between runs
     */
    public record EmbeddedDb(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("15432") @Min(1) @Max(65535) int port,
            @DefaultValue("./data/postgres") @NotBlank String dataDirectory) {
    }

    /**
     * Graceful shutdown on SIGTERM: Camel stops its consumers first (no new messages), then waits for
     * the exchanges in flight; what has not completed when the time is up is failed, so its source
     * redelivers it (docs/scaling.md, "Graceful shutdown").
     *
     * @param timeout how long Camel waits for in-flight exchanges, and also Spring's
     *                {@code spring.lifecycle.timeout-per-shutdown-phase} (the web server's wait for
     *                running HTTP requests); keep Kubernetes' terminationGracePeriodSeconds above
     *                twice this value
     */
    public record Shutdown(
            @DefaultValue("30s") @NotNull Duration timeout) {
    }
}
