package routes.db;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import routes.pipeline.commit.BatchWriter;
import routes.pipeline.validate.EventParser;
import routes.pipeline.split.MetricRow;
import routes.pipeline.split.RowSplitter;

/**
 * Before the sources start (once every bean exists, before the context is refreshed and Camel starts its
 * routes), runs the pipeline's own code — parsing, splitting, the batch write of rows and daily stats —
 * on throw-away batches of made-up events, each in a transaction that is rolled back: no row, no
 * metric, no idempotency key is left behind (nothing here counts or remembers). Each batch waits at most
 * {@code ingest.warmup.timeout} for a lock or a statement: a locked table stops the warm-up, not the start.
 * The first real batches then meet loaded classes, compiled code, prepared statements and open pool
 * connections. A failure
 * (e.g. PostgreSQL not up yet) is logged, never fatal: the sources wait for the database as always.
 */
@Component
public class PipelineWarmup implements SmartInitializingSingleton {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineWarmup.class);

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
            for (int b = 0; b < properties.batches(); b++) {
                List<MetricRow> rows = rows(b);
                transaction.executeWithoutResult(status -> {
                    jdbc.execute("SET LOCAL lock_timeout = " + timeoutMs);
                    jdbc.execute("SET LOCAL statement_timeout = " + timeoutMs);
                    writer.write(rows);
                    status.setRollbackOnly();
                });
                warmed++;
            }
            LOG.info("Pipeline warmed up on {} throw-away batches of {} events, rolled back, in {} ms",
                    properties.batches(), properties.batchSize(), (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("Pipeline warm-up skipped ({}): the first batches will run cold", e.toString());
        }
    }

    /** Throw-away batches written and rolled back at start-up. */
    public int warmedBatches() {
        return warmed;
    }

    /** Made-up events of a device of their own (a fresh UUID), parsed and split as the sources' are. */
    private List<MetricRow> rows(int batch) {
        String device = UUID.randomUUID().toString();
        List<MetricRow> rows = new ArrayList<>(properties.batchSize() * 3);
        for (int i = 0; i < properties.batchSize(); i++) {
            String json = "{\"event_id\":\"warmup-" + batch + "-" + i + "\",\"device_id\":\"" + device + "\","
                    + "\"source_timestamp\":\"2000-01-01T00:" + two(i / 60 % 60) + ":" + two(i % 60) + "." + batch + "Z\","
                    + "\"metrics\":[{\"parameter_key\":\"warmup_a\",\"value\":" + i + ".5,\"quality\":192},"
                    + "{\"parameter_key\":\"warmup_b\",\"value\":" + (-i) + "},"
                    + "{\"parameter_key\":\"warmup_c\",\"value\":1e3,\"attributes\":{\"unit\":\"V\"}}]}";
            rows.addAll(splitter.rows(parser.parse(json.getBytes(StandardCharsets.UTF_8))));
        }
        return rows;
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }
}
