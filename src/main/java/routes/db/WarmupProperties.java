package routes.db;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code ingest.warmup.*}: the pipeline exercised at start-up on throw-away batches that are rolled back
 * ({@link PipelineWarmup}), so that the first messages do not meet cold code and connections.
 *
 * @param enabled   on by default since session 11: 60,000-event Redis bursts 118.5 % with it (3 pairs; NATS 96.3 %,
 *                  within the noise), for ~1 s of start-up (docs/benchmarks.md)
 * @param batches   how many throw-away batches
 * @param batchSize events per throw-away batch (3 metrics each)
 * @param timeout   the longest one throw-away batch may wait for a lock or run (its transaction's
 *                  {@code lock_timeout} and {@code statement_timeout}): a table locked by a migration, a
 *                  {@code VACUUM FULL} or an operator must not hold the start-up back; the warm-up then stops
 * @param deadLetters the byte work of an oversized dead letter (its SHA-256s, the table's prefix, the source's
 *                  DLQ encoding) run at start-up on a made-up body over the size limit ({@code DeadLetterWarmup}):
 *                  without it that code ran interpreted or in the JIT's first tiers for the first seconds of a
 *                  drain, 15-25 % of the app's CPU samples with the benchmark's mix
 * @param rounds    how many times the batches run, each time followed by a wait until the JIT is quiet: in one
 *                  round most of the pipeline's methods got only the JIT's first tiers (its optimising compiler's
 *                  thresholds rise while its queue is long, as all through the start-up) and were compiled for good
 *                  in the first seconds of a drain; two rounds: 60,000-event Redis bursts 113.5 % (3 pairs), three
 *                  no better (docs/benchmarks.md, session 15)
 * @param jitIdleTimeout the longest wait, after each round, for the JIT to be quiet (its compilation time unchanged
 *                  for 150 ms)
 */
@Validated
@ConfigurationProperties("ingest.warmup")
public record WarmupProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("20") @Min(1) int batches,
        @DefaultValue("500") @Min(1) int batchSize,
        @DefaultValue("2s") @NotNull Duration timeout,
        @DefaultValue("true") boolean deadLetters,
        @DefaultValue("2") @Min(1) int rounds,
        @DefaultValue("3s") @NotNull Duration jitIdleTimeout) {
}
