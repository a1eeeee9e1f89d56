package routes.db;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import routes.pipeline.commit.BatchWriter;
import routes.pipeline.validate.EventParser;
import routes.pipeline.validate.IngestEvent;
import routes.pipeline.validate.InvalidMessageException;
import routes.pipeline.split.MetricRow;
import routes.pipeline.split.RowSplitter;

/**
 * Before the sources start (once every bean exists, before the context is refreshed and Camel starts its
 * routes), runs the pipeline's own code — parsing (valid messages of every shape, and each invalid kind),
 * the message keys, splitting, the batch write of new rows, then of a re-send with some values changed
 * (the locking, last-write-wins and stats-recompute path) — on throw-away batches of made-up events
 * ({@link WarmupMessages}), each in a transaction that is rolled back, in {@code ingest.warmup.rounds} rounds, each
 * followed by a wait until the JIT is quiet ({@link JitIdle}): no row, no
 * metric, no idempotency key is left behind (nothing here counts or remembers). Each batch waits at most
 * {@code ingest.warmup.timeout} for a lock or a statement: a locked table stops the warm-up, not the start.
 * The first real batches then meet loaded classes, compiled code, prepared statements and open pool
 * connections. A failure
 * (e.g. PostgreSQL not up yet) is logged, never fatal: the sources wait for the database as always.
 */
@Component
public class PipelineWarmup implements SmartInitializingSingleton {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineWarmup.class);
    /** The JIT counts as quiet once its compilation time has not grown for this long. */
    private static final Duration JIT_QUIET = Duration.ofMillis(150);

    private final WarmupProperties properties;
    private final EventParser parser;
    private final RowSplitter splitter;
    private final BatchWriter writer;
    private final TransactionTemplate transaction;
    private final JdbcTemplate jdbc;
    private volatile int warmed;

    public PipelineWarmup(WarmupProperties properties, EventParser parser, RowSplitter splitter, BatchWriter writer,
                          TransactionTemplate transaction, JdbcTemplate jdbc) {
        this.properties = properties;
        this.parser = parser;
        this.splitter = splitter;
        this.writer = writer;
        this.transaction = transaction;
        this.jdbc = jdbc;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (!properties.enabled()) {
            return;
        }
        long started = System.nanoTime();
        long timeoutMs = Math.max(1, properties.timeout().toMillis());
        try {
            WarmupMessages messages = new WarmupMessages();
            List<byte[]> invalid = messages.invalid();
            JitIdle jit = JitIdle.ofThisJvm();
            long jitWaitMs = 0;
            for (int round = 0; round < properties.rounds(); round++) {
                for (int b = 0; b < properties.batches(); b++) {
                    warmUp(messages, invalid, b, timeoutMs);
                }
                jitWaitMs += jit.await(JIT_QUIET, properties.jitIdleTimeout());
            }
            LOG.info("Pipeline warmed up on {} rounds of {} throw-away batches of {} events, rolled back, in {} ms"
                            + " ({} ms of it waiting for the JIT)", properties.rounds(), properties.batches(),
                    properties.batchSize(), (System.nanoTime() - started) / 1_000_000, jitWaitMs);
        } catch (RuntimeException e) {
            LOG.warn("Pipeline warm-up skipped ({}): the first batches will run cold", e.toString());
        }
    }

    /** One throw-away batch: parsed, keyed, split, written, re-sent, rolled back. */
    private void warmUp(WarmupMessages messages, List<byte[]> invalid, int b, long timeoutMs) {
        List<MetricRow> rows = rows(messages, b);
        List<MetricRow> resent = resent(rows);
        refuseInvalid(invalid);
        transaction.executeWithoutResult(status -> {
            jdbc.execute("SET LOCAL lock_timeout = " + timeoutMs);
            jdbc.execute("SET LOCAL statement_timeout = " + timeoutMs);
            writer.write(rows);
            writer.write(resent);
            status.setRollbackOnly();
        });
        warmed++;
    }

    /** Throw-away batches written and rolled back at start-up. */
    public int warmedBatches() {
        return warmed;
    }

    /**
     * Batch {@code batch}'s made-up messages parsed, keyed and split as the sources' are; every 20th a
     * byte-identical re-send of an earlier one (a key twice in one batch).
     */
    private List<MetricRow> rows(WarmupMessages messages, int batch) {
        List<MetricRow> rows = new ArrayList<>(properties.batchSize() * 2);
        for (int i = 0; i < properties.batchSize(); i++) {
            IngestEvent event = parser.parse(messages.valid(batch, i % 20 == 19 ? i - 7 : i));
            event.messageKey(); // the dedup and status key: SHA-256 of the parameters for several
            rows.addAll(splitter.rows(event));
        }
        return rows;
    }

    /** A re-send of every fifth row, every other one with a changed value (an overwrite), the rest unchanged. */
    private static List<MetricRow> resent(List<MetricRow> rows) {
        List<MetricRow> resent = new ArrayList<>(rows.size() / 5 + 1);
        for (int i = 0; i < rows.size(); i += 5) {
            MetricRow row = rows.get(i);
            resent.add(i % 10 == 0 ? row : new MetricRow(row.time(), row.deviceId(), row.parameterKey(), row.value() + 1,
                    row.quality(), row.source(), row.eventId(), row.attributesJson()));
        }
        return resent;
    }

    /** The invalid kinds, refused by the parser as the sources' are (their dead letters are not written). */
    private void refuseInvalid(List<byte[]> invalid) {
        for (byte[] body : invalid) {
            try {
                parser.parse(body);
                throw new IllegalStateException("a warm-up message meant invalid was accepted: "
                        + EventParser.text(body));
            } catch (InvalidMessageException expected) {
                // refused, as it should be
            }
        }
    }
}
