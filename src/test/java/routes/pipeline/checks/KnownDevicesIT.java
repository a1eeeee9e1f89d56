package routes.pipeline.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.ops.IngestMetrics;
import routes.support.PerParameterMessages;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * The known-devices check switched on, against the real PostgreSQL (its tables, named in configuration,
 * not the defaults) and the real Redis source with batching: in one batch a known device's message lands,
 * an unknown device's and an unknown parameter's are dead-lettered alone with their own error_type, and a
 * device added to the table is accepted after the next refresh.
 */
@SpringBootTest(properties = {
    "ingest.checks.known-devices.enabled=true",
    "ingest.checks.known-devices.devices-table=fleet.devices",
    "ingest.checks.known-devices.device-column=id",
    "ingest.checks.known-devices.parameters-table=fleet.parameters",
    "ingest.checks.known-devices.parameter-column=key",
    "ingest.checks.known-devices.refresh-interval=500ms"})
class KnownDevicesIT {

    static final String DATABASE = "it_known_devices";
    static final String PREFIX = "it:KnownDevicesIT:";
    static final String QUEUE = PREFIX + "queue";
    static final String PROCESSING = QUEUE + ":processing";
    static final String DELAYED = QUEUE + ":delayed";
    static final String DLQ = QUEUE + ":dlq";
    static final UUID KNOWN = UUID.randomUUID();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String url = TestDatabase.recreate(DATABASE);
        // The team's own tables, there before the app starts (its first load reads them).
        try (Connection c = DriverManager.getConnection(url, TestDatabase.USER, "");
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA fleet");
            s.execute("CREATE TABLE fleet.devices (id uuid PRIMARY KEY, name text)");
            s.execute("CREATE TABLE fleet.parameters (key text PRIMARY KEY)");
            s.execute("INSERT INTO fleet.devices VALUES ('" + KNOWN + "', 'meter 1')");
            s.execute("INSERT INTO fleet.parameters VALUES ('voltage'), ('current')");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        registry.add("spring.datasource.url", () -> url);
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.redis.enabled", () -> "true");
        registry.add("ingest.sources.redis.queue", () -> QUEUE);
        registry.add("ingest.sources.redis.processing-list", () -> PROCESSING);
        registry.add("ingest.sources.redis.delayed-set", () -> DELAYED);
        registry.add("ingest.sources.redis.dlq", () -> DLQ);
    }

    @BeforeAll
    static void cleanRedis() {
        try (var jedis = new redis.clients.jedis.Jedis("127.0.0.1", 6379)) {
            jedis.del(QUEUE, PROCESSING, DELAYED, DLQ, DELAYED + ":seq");
        }
    }

    @Autowired StringRedisTemplate redis;
    @Autowired JdbcTemplate jdbc;
    @Autowired MeterRegistry meters;
    @Autowired CamelContext camel;

    static final AtomicInteger SECOND = new AtomicInteger();

    /** Each event at its own second: rows of one device and parameter at one instant would be one row. */
    static String event(String eventId, UUID device, String... parameters) {
        StringBuilder metrics = new StringBuilder();
        for (String p : parameters) {
            metrics.append(metrics.isEmpty() ? "" : ",").append("{\"parameter_key\":\"").append(p).append("\",\"value\":1}");
        }
        return "{\"event_id\":\"" + eventId + "\",\"device_id\":\"" + device + "\",\"source_timestamp\":"
                + "\"" + Instant.parse("2026-11-22T10:00:00Z").plusSeconds(SECOND.incrementAndGet())
                + "\",\"metrics\":[" + metrics + "]}";
    }

    long rows(UUID device) {
        return PerParameterMessages.rows(jdbc, device);
    }

    List<Map<String, Object>> deadLetters(String eventId) {
        return jdbc.queryForList("SELECT error_type, error_message, attempts FROM dead_letters WHERE payload LIKE ?",
                "%\"" + eventId + "\"%");
    }

    double deadLettered(String errorType) {
        Counter counter = meters.find(IngestMetrics.DEAD_LETTERS).tag("source", "redis").tag("error_type", errorType).counter();
        return counter == null ? -1 : counter.count();
    }

    @Test
    void itsRoutesRunAndItsErrorTypesAreRegisteredAtZero() {
        assertThat(camel.getRoute("known-devices")).isNotNull();
        assertThat(camel.getRoute("known-devices-refresh")).isNotNull();
        assertThat(meters.find(IngestMetrics.DEAD_LETTERS).tag("source", "redis").tag("error_type", "unknown_device")
                .counter()).as("registered with the source, before the first").isNotNull();
        assertThat(meters.find(IngestMetrics.DEAD_LETTERS).tag("source", "redis").tag("error_type", "unknown_parameter")
                .counter()).isNotNull();
    }

    @Test
    void inOneBatchTheKnownLandAndTheUnknownDeviceAndParameterAreDeadLetteredAloneNeverRetried() {
        String run = UUID.randomUUID().toString();
        UUID stranger = UUID.randomUUID();
        double unknownDevices = deadLettered("unknown_device");
        double unknownParameters = deadLettered("unknown_parameter");
        long knownRows = rows(KNOWN);

        // One LPUSH: the source takes them in one call, as one batch.
        redis.opsForList().leftPushAll(QUEUE, event(run + "-a", KNOWN, "voltage", "current"),
                event(run + "-b", stranger, "voltage"),
                event(run + "-c", KNOWN, "voltage", "frequency"),
                event(run + "-d", KNOWN, "current"));

        await().atMost(Duration.ofSeconds(30)).until(() -> rows(KNOWN) - knownRows == 3
                && !deadLetters(run + "-b").isEmpty() && !deadLetters(run + "-c").isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.opsForList().size(PROCESSING) == 0);

        Map<String, Object> device = deadLetters(run + "-b").get(0);
        assertThat(device.get("error_type")).isEqualTo("unknown_device");
        assertThat((String) device.get("error_message")).isEqualTo("step known-devices failed: unknown device " + stranger);
        assertThat(device.get("attempts")).as("never retried").isEqualTo(1);
        Map<String, Object> parameter = deadLetters(run + "-c").get(0);
        assertThat(parameter.get("error_type")).isEqualTo("unknown_parameter");
        assertThat((String) parameter.get("error_message")).contains("unknown parameter frequency").contains(KNOWN.toString());
        assertThat(parameter.get("attempts")).isEqualTo(1);
        assertThat(rows(stranger)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE device_id = ? AND parameter_key = 'frequency'",
                Long.class, KNOWN)).as("nothing of the refused message").isZero();
        assertThat(deadLettered("unknown_device") - unknownDevices).isEqualTo(1);
        assertThat(deadLettered("unknown_parameter") - unknownParameters).isEqualTo(1);
        assertThat(redis.opsForList().range(DLQ, 0, -1)).as("in the source's dead-letter list too")
                .anyMatch(d -> d.contains(run + "-b")).anyMatch(d -> d.contains(run + "-c"));
        assertThat(redis.opsForList().size(QUEUE)).isZero();
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void aDeviceAndAParameterAddedToTheTablesAreAcceptedAfterTheRefresh() {
        String run = UUID.randomUUID().toString();
        UUID added = UUID.randomUUID();

        redis.opsForList().leftPush(QUEUE, event(run + "-before", added, "voltage"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !deadLetters(run + "-before").isEmpty());
        assertThat(deadLetters(run + "-before").get(0).get("error_type")).isEqualTo("unknown_device");

        jdbc.update("INSERT INTO fleet.devices (id) VALUES (?)", added);
        jdbc.update("INSERT INTO fleet.parameters (key) VALUES ('power')");
        // Two refreshes completed from now: the second began after the inserts were committed.
        NotifyBuilder refreshed = new NotifyBuilder(camel).fromRoute("known-devices-refresh").whenCompleted(2).create();
        assertThat(refreshed.matches(10, TimeUnit.SECONDS)).as("refreshed every 500ms").isTrue();

        redis.opsForList().leftPush(QUEUE, event(run + "-after", added, "voltage", "power"));
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(added) == 2);
        assertThat(deadLetters(run + "-after")).isEmpty();
    }
}
