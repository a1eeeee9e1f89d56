package teambench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A team's own RabbitMQ → PostgreSQL consumer, written the obvious way: a Spring Cloud Stream batch listener
 * (binder rabbit, batch-mode), each batch parsed with Jackson, its metrics upserted with one JDBC batch and its
 * daily stats added with another, both in one transaction. No idempotency beyond ON CONFLICT: a re-sent event
 * overwrites its rows but is counted again in daily_stats, and a message that does not parse is logged and
 * dropped. The yardstick of issue 16's "well past a team's own batch consumer"; never part of the app.
 */
@SpringBootApplication
public class TeamBatchConsumerApplication {

    private static final Logger log = LoggerFactory.getLogger(TeamBatchConsumerApplication.class);

    static final String UPSERT_EVENT = """
            INSERT INTO ingest_events (time, device_id, parameter_key, value, quality, source, event_id, attributes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)
            ON CONFLICT (time, device_id, parameter_key) DO UPDATE SET value = EXCLUDED.value,
                quality = EXCLUDED.quality, source = EXCLUDED.source, event_id = EXCLUDED.event_id,
                attributes = EXCLUDED.attributes""";
    static final String ADD_STATS = """
            INSERT INTO daily_stats (day, device_id, parameter_key, sample_count, value_sum, value_min, value_max)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (day, device_id, parameter_key) DO UPDATE SET
                sample_count = daily_stats.sample_count + EXCLUDED.sample_count,
                value_sum = daily_stats.value_sum + EXCLUDED.value_sum,
                value_min = least(daily_stats.value_min, EXCLUDED.value_min),
                value_max = greatest(daily_stats.value_max, EXCLUDED.value_max),
                updated_at = now()""";

    public static void main(String[] args) {
        SpringApplication.run(TeamBatchConsumerApplication.class, args);
    }

    record Metric(Instant time, UUID device, String key, double value, Integer quality, String source,
                  String eventId, String attributes) {
    }

    record StatsKey(LocalDate day, UUID device, String key) {
    }

    @Bean
    Consumer<List<byte[]>> events(JdbcTemplate jdbc, TransactionTemplate tx, ObjectMapper json) {
        return batch -> {
            List<Metric> metrics = new ArrayList<>();
            for (byte[] body : batch) {
                try {
                    JsonNode event = json.readTree(body);
                    Instant time = Instant.parse(event.get("source_timestamp").asText());
                    UUID device = UUID.fromString(event.get("device_id").asText());
                    for (JsonNode m : event.get("metrics")) {
                        metrics.add(new Metric(time, device, m.get("parameter_key").asText(), m.get("value").asDouble(),
                                m.has("quality") ? m.get("quality").asInt() : null, event.path("protocol").asText(null),
                                event.path("event_id").asText(null), m.has("attributes") ? m.get("attributes").toString() : null));
                    }
                } catch (Exception e) {
                    log.warn("dropping a message that is not an event: {}", e.toString());
                }
            }
            Map<StatsKey, double[]> stats = new LinkedHashMap<>(); // count, sum, min, max
            for (Metric m : metrics) {
                stats.merge(new StatsKey(m.time().atOffset(ZoneOffset.UTC).toLocalDate(), m.device(), m.key()),
                        new double[] {1, m.value(), m.value(), m.value()},
                        (a, b) -> new double[] {a[0] + b[0], a[1] + b[1], Math.min(a[2], b[2]), Math.max(a[3], b[3])});
            }
            tx.executeWithoutResult(status -> {
                jdbc.batchUpdate(UPSERT_EVENT, metrics, 1000, (ps, m) -> {
                    ps.setTimestamp(1, Timestamp.from(m.time()));
                    ps.setObject(2, m.device());
                    ps.setString(3, m.key());
                    ps.setDouble(4, m.value());
                    ps.setObject(5, m.quality(), java.sql.Types.SMALLINT);
                    ps.setString(6, m.source());
                    ps.setString(7, m.eventId());
                    ps.setString(8, m.attributes());
                });
                jdbc.batchUpdate(ADD_STATS, new ArrayList<>(stats.entrySet()), 1000, (ps, e) -> {
                    ps.setObject(1, e.getKey().day());
                    ps.setObject(2, e.getKey().device());
                    ps.setString(3, e.getKey().key());
                    ps.setLong(4, (long) e.getValue()[0]);
                    ps.setDouble(5, e.getValue()[1]);
                    ps.setDouble(6, e.getValue()[2]);
                    ps.setDouble(7, e.getValue()[3]);
                });
            });
        };
    }
}
