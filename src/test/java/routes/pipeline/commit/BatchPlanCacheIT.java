package routes.pipeline.commit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import routes.pipeline.split.MetricRow;
import routes.support.TestDatabase;

/**
 * The batch statements are planned for the batch they are given, never from a cached generic plan. After five
 * executions of a prepared statement PostgreSQL may settle on a generic plan, costed without the arrays' sizes;
 * a connection whose first batches were small (a trickle, or the start-up warm-up in small batches) then ran
 * every later batch of thousands of rows with it, and a drain fell to half its rate with PostgreSQL's CPU tripled
 * (docs/benchmarks.md session 14). The app's connections set {@code plan_cache_mode = force_custom_plan}.
 */
@SpringBootTest
class BatchPlanCacheIT {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_batch_plan_cache"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
    }

    @Autowired BatchWriter writer;
    @Autowired TransactionTemplate transaction;
    @Autowired JdbcTemplate jdbc;

    @Test
    void smallBatchesFirstLeaveNoGenericPlanForTheLaterOnes() {
        List<Map<String, Object>> statements = transaction.execute(status -> {
            UUID device = UUID.randomUUID();
            for (int b = 0; b < 12; b++) {
                List<MetricRow> rows = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    rows.add(new MetricRow(Instant.parse("2026-11-22T10:00:00Z").plusSeconds(b * 10L + i), device,
                            "voltage", 230 + i, (short) 192, "modbus", "e-" + b + "-" + i, null));
                }
                writer.write(rows);
                // the same keys again, one value changed: lock, update, recompute
                rows.set(0, new MetricRow(rows.get(0).time(), device, "voltage", 1, null, null, null, null));
                writer.write(rows);
            }
            List<Map<String, Object>> prepared = jdbc.queryForList(
                    "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
                            + " WHERE statement ILIKE '%unnest%'");
            status.setRollbackOnly();
            return prepared;
        });
        assertThat(statements).as("the batch statements, prepared on the server").hasSizeGreaterThanOrEqualTo(5);
        assertThat(statements).allSatisfy(s -> assertThat(((Number) s.get("generic_plans")).longValue())
                .as("generic plans of %s", s.get("statement")).isZero());
    }
}
