package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.pipeline.commit.BatchFailedException;
import routes.pipeline.commit.DatabaseUnavailableException;
import routes.pipeline.validate.EventParser;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * The shared pipeline (direct:ingest) against the real PostgreSQL: validation to dead letters, the
 * idempotent consumer, exactly-once rows, the retry budget, and failures in the middle of a batch.
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
    "ingest.embedded-db.enabled=false",
    "ingest.redelivery.initial-delay=20ms",
    "ingest.redelivery.max-delay=100ms",
    "ingest.batch.timeout=30ms",
    "server.port=0"
})
class PipelineIT {

    static final String DEVICE = "0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11";
    static final String POISON_DEVICE = "99999999-9999-4999-8999-999999999999";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_pipeline"));
    }

    @Autowired
    ProducerTemplate producer;
    @Autowired
    CamelContext camel;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;
    @Autowired
    org.apache.camel.spi.IdempotentRepository eventIdempotentStore;

    /** The exchanges this test sent to the pipeline (JUnit makes an instance per test). */
    private final Set<Exchange> sent = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    /**
     * Counts the route's completions of this test's exchanges only, the very exchanges it sent: neither another
     * test's that completes late, nor an exchange made from one of them. The dead letters' route splits a
     * dead-lettered message into a sub-exchange, a copy of it with its route (ingest) and its properties, whose
     * completion is an event of its own; counted, a count came one message early (a suite run saw 57 of 60 rows).
     */
    NotifyBuilder ingestDone(int exchanges) {
        return new NotifyBuilder(camel).fromRoute("ingest").filter(sent::contains).whenDone(exchanges).create();
    }

    void asyncSend(String body) {
        producer.asyncSend("direct:ingest", exchange -> {
            sent.add(exchange);
            exchange.setProperty(IngestExchange.SOURCE, "test");
            exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        });
    }

    @BeforeEach
    void empty() {
        eventIdempotentStore.clear();
        jdbc.execute("TRUNCATE ingest_events, daily_stats, dead_letters");
        jdbc.execute("DROP TRIGGER IF EXISTS refuse_poison ON ingest_events");
    }

    @AfterEach
    void dropTrigger() {
        jdbc.execute("DROP TRIGGER IF EXISTS refuse_poison ON ingest_events");
    }

    static String event(String eventId, String device, String timestamp, double value) {
        return "{\"event_id\":\"" + eventId + "\",\"device_id\":\"" + device + "\",\"protocol\":\"modbus\","
                + "\"source_timestamp\":\"" + timestamp + "\",\"metrics\":["
                + "{\"parameter_key\":\"voltage\",\"value\":" + value + ",\"quality\":192,\"attributes\":{\"unit\":\"V\"}},"
                + "{\"parameter_key\":\"current\",\"value\":" + (value / 100) + "},"
                + "{\"parameter_key\":\"power\",\"value\":" + (value * 3) + "}]}";
    }

    Exchange send(String body, Map<String, Object> properties) {
        return producer.send("direct:ingest", exchange -> {
            exchange.setProperty(IngestExchange.SOURCE, "test");
            exchange.setProperty(IngestExchange.QUEUE, "test-queue");
            properties.forEach(exchange::setProperty);
            exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        });
    }

    Exchange send(String body) {
        return send(body, Map.of());
    }

    int rows() {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events", Integer.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "json       | {not json                                                                   | json       | $",
        "validation | {\"device_id\":\"nope\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]} | validation | device_id",
        "validation | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"yesterday\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]} | validation | source_timestamp",
        "validation | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[]} | validation | metrics",
        "validation | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":\"high\"}]} | validation | metrics[0].value",
        "validation | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1,\"quality\":300}]} | validation | metrics[0].quality",
    })
    void invalidMessagesGoToTheDeadLettersAtOnceWithTheFieldThatBroke(String kind, String body, String errorType,
                                                                        String field) {
        Exchange result = send(body);
        assertThat(result.getException()).as("handled: the source acknowledges it").isNull();
        Map<String, Object> deadLetter = jdbc.queryForMap("SELECT * FROM dead_letters");
        assertThat(deadLetter).containsEntry("error_type", errorType).containsEntry("attempts", 1)
                .containsEntry("source", "test").containsEntry("queue", "test-queue").containsEntry("payload", body);
        assertThat((String) deadLetter.get("error_message")).contains(field);
        assertThat(rows()).isZero();
    }

    @Test
    void aMessageOverOneMebibyteIsDeadLetteredAsTooLarge() {
        String big = "{\"pad\":\"" + "x".repeat(EventParser.MAX_MESSAGE_BYTES) + "\"}";
        assertThat(send(big).getException()).isNull();
        assertThat(jdbc.queryForObject("SELECT error_type FROM dead_letters", String.class)).isEqualTo("too_large");
    }

    @Test
    void aValidEventLandsWithItsStatsAndTheDeadLetterHeadersAreNotNeeded() {
        assertThat(send(event("e-1", DEVICE, "2026-11-22T10:15:30.250Z", 230)).getException()).isNull();
        assertThat(rows()).isEqualTo(3);
        assertThat(jdbc.queryForMap("SELECT * FROM ingest_events WHERE parameter_key = 'voltage'"))
                .containsEntry("source", "modbus").containsEntry("event_id", "e-1")
                .containsEntry("quality", 192);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Integer.class)).isZero();
    }

    @Test
    void theSameEventSentTwiceChangesNeitherRowsNorStats() {
        String e = event("e-dup", DEVICE, "2026-11-22T10:15:30Z", 230);
        send(e);
        double before = meters.counter("ingest.events", "source", "test", "status", "duplicate").count();
        send(e);
        assertThat(meters.counter("ingest.events", "source", "test", "status", "duplicate").count()).isEqualTo(before + 1);
        assertThat(rows()).isEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT sum(sample_count) FROM daily_stats", Long.class)).isEqualTo(3L);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void manyMessagesInFlightAreBatchedAndEachCompletesOnlyAfterItsCommit() {
        int events = 3000;
        NotifyBuilder allDone = ingestDone(events);
        for (int i = 0; i < events; i++) {
            // every 10th event is a resend of the one before (a producer retry)
            int id = i % 10 == 9 ? i - 1 : i;
            String body = event("e-" + id, new java.util.UUID(0, id % 50).toString(),
                    java.time.Instant.parse("2026-11-22T00:00:00Z").plusSeconds(id).toString(), id);
            asyncSend(body);
        }
        assertThat(allDone.matches(60, TimeUnit.SECONDS)).isTrue();
        assertThat(rows()).isEqualTo((events - events / 10) * 3);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        assertThat(meters.get("ingest.batch.size").summary().max()).as("rows of many messages per batch").isGreaterThan(3);
    }

    @Test
    void aBatchHoldingOneRowTheDatabaseRefusesCommitsTheRestAndDeadLettersOnlyThatMessage() {
        refuseParameter(REFUSED_KEY);
        NotifyBuilder done = ingestDone(21);
        for (int i = 0; i < 20; i++) {
            String body = event("ok-" + i, DEVICE, "2026-11-22T10:00:" + String.format("%02d", i) + "Z", i);
            asyncSend(body);
            if (i == 10) {
                // valid JSON and valid by the contract, but the database refuses its row (a data exception)
                String refused = "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T11:00:00Z\","
                        + "\"metrics\":[{\"parameter_key\":\"" + REFUSED_KEY + "\",\"value\":1}]}";
                asyncSend(refused);
            }
        }
        assertThat(done.matches(30, TimeUnit.SECONDS)).isTrue();
        // Each message completes only after its commit, and the count is of the 21 messages alone (ingestDone).
        assertThat(rows()).isEqualTo(60);
        Map<String, Object> deadLetter = jdbc.queryForMap("SELECT error_type, attempts, payload FROM dead_letters");
        assertThat(deadLetter).containsEntry("error_type", "rejected").containsEntry("attempts", 1);
        assertThat((String) deadLetter.get("payload")).contains(REFUSED_KEY);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void aDeadLetteredMessageCountsAsDoneOnceSoTheCountWaitsForTheOtherMessagesRows() throws Exception {
        refuseParameter(REFUSED_KEY);
        NotifyBuilder done = ingestDone(2);
        asyncSend("{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T11:00:00Z\","
                + "\"metrics\":[{\"parameter_key\":\"" + REFUSED_KEY + "\",\"value\":1}]}");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> jdbc.queryForObject("SELECT count(*) FROM dead_letters", Integer.class) == 1);
        try (var lockHolder = jdbc.getDataSource().getConnection()) {
            lockHolder.setAutoCommit(false);
            lockHolder.createStatement().execute("LOCK TABLE ingest_events IN ACCESS EXCLUSIVE MODE");
            asyncSend(event("held", DEVICE, "2026-11-22T10:00:00Z", 1));
            // The dead letters' route splits the refused message into a sub-exchange per message, a copy of it (its
            // route, its properties): the count must not take that for a second message done (57 of 60 rows once).
            assertThat(done.matches(1500, TimeUnit.MILLISECONDS))
                    .as("the second message waits for its commit: not done, whatever the first one's dead-lettering did")
                    .isFalse();
            lockHolder.rollback();
            assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(rows()).isEqualTo(3);
    }

    /** A parameter_key whose rows the database refuses with a data exception (SQLSTATE 22023), as it would refuse bad data. */
    static final String REFUSED_KEY = "refused-by-the-database";

    void refuseParameter(String key) {
        jdbc.execute("CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN IF NEW.parameter_key = '" + key + "' THEN RAISE EXCEPTION USING ERRCODE = '22023',"
                + " MESSAGE = 'row refused'; END IF; RETURN NEW; END $$");
        jdbc.execute("CREATE TRIGGER refuse_poison BEFORE INSERT ON ingest_events FOR EACH ROW EXECUTE FUNCTION refuse_poison()");
    }

    void refuseDevice(String device) {
        jdbc.execute("CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN IF NEW.device_id = '" + device + "' THEN RAISE EXCEPTION 'poison row refused'; END IF;"
                + " RETURN NEW; END $$");
        jdbc.execute("CREATE TRIGGER refuse_poison BEFORE INSERT ON ingest_events FOR EACH ROW EXECUTE FUNCTION refuse_poison()");
    }

    @Test
    void aFailureThatPersistsIsRetriedFiveTimesInAllThenDeadLetteredWhileItsNeighboursCommit() {
        refuseDevice(POISON_DEVICE);
        double errorsBefore = meters.counter("ingest.errors", "source", "test", "error_type", "database").count();
        NotifyBuilder done = ingestDone(11);
        asyncSend(event("poison", POISON_DEVICE, "2026-11-22T10:00:00Z", 1));
        for (int i = 0; i < 10; i++) {
            String body = event("fine-" + i, DEVICE, "2026-11-22T10:00:0" + i + "Z", i);
            asyncSend(body);
        }
        assertThat(done.matches(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject("SELECT count(*) FROM dead_letters", Integer.class) == 1);
        assertThat(rows()).isEqualTo(30);
        Map<String, Object> deadLetter = jdbc.queryForMap("SELECT * FROM dead_letters");
        assertThat(deadLetter).containsEntry("error_type", "exhausted").containsEntry("attempts", 5);
        assertThat((String) deadLetter.get("error_message")).contains("poison row refused");
        assertThat(meters.counter("ingest.errors", "source", "test", "error_type", "database").count())
                .isEqualTo(errorsBefore + 5);
    }

    @Test
    void brokerRedeliveriesCountAgainstTheSameBudget() {
        refuseDevice(POISON_DEVICE);
        String poison = event("p", POISON_DEVICE, "2026-11-22T10:00:00Z", 1);
        // Three deliveries already made by the broker: two more attempts here, then dead letters.
        Exchange result = send(poison, Map.of(IngestExchange.PRIOR_ATTEMPTS, 3));
        assertThat(result.getException()).isNull();
        assertThat(jdbc.queryForObject("SELECT attempts FROM dead_letters", Integer.class)).isEqualTo(5);
    }

    @Test
    void aSourceThatRedeliversItselfGetsTheFailureBackUntilTheBudgetIsSpent() {
        refuseDevice(POISON_DEVICE);
        String poison = event("p", POISON_DEVICE, "2026-11-22T10:00:00Z", 1);
        Exchange early = send(poison, Map.of(IngestExchange.PRIOR_ATTEMPTS, 1, IngestExchange.RETRY_IN_PROCESS, false));
        assertThat(early.getException()).as("failed back to the source to redeliver").isInstanceOf(BatchFailedException.class);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Integer.class)).isZero();
        Exchange last = send(poison, Map.of(IngestExchange.PRIOR_ATTEMPTS, 4, IngestExchange.RETRY_IN_PROCESS, false));
        assertThat(last.getException()).as("dead-lettered, so acknowledged").isNull();
        assertThat(jdbc.queryForObject("SELECT attempts FROM dead_letters", Integer.class)).isEqualTo(5);
    }

    @Test
    void aStalledDatabaseCompletesNothingUntilTheRowsCommit() throws Exception {
        try (var lockHolder = jdbc.getDataSource().getConnection()) {
            lockHolder.setAutoCommit(false);
            lockHolder.createStatement().execute("LOCK TABLE ingest_events IN ACCESS EXCLUSIVE MODE");
            NotifyBuilder done = ingestDone(1);
            asyncSend(event("stalled", DEVICE, "2026-11-22T10:00:00Z", 1));
            assertThat(done.matches(1500, TimeUnit.MILLISECONDS)).as("not complete (not acked) while stalled").isFalse();
            lockHolder.rollback();
            assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(rows()).isEqualTo(3);
    }

    @Test
    void aLostDatabaseConnectionMidBatchIsRetriedAndTheEventLands() {
        // Make the write slow for one device, kill the connection while it runs, then let it through.
        jdbc.execute("CREATE TABLE IF NOT EXISTS test_flags (name text PRIMARY KEY)");
        jdbc.execute("INSERT INTO test_flags VALUES ('sleep') ON CONFLICT DO NOTHING");
        jdbc.execute("CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN IF NEW.device_id = '" + POISON_DEVICE + "' AND EXISTS (SELECT 1 FROM test_flags"
                + " WHERE name = 'sleep') THEN PERFORM pg_sleep(30); END IF; RETURN NEW; END $$");
        jdbc.execute("CREATE TRIGGER refuse_poison BEFORE INSERT ON ingest_events FOR EACH ROW EXECUTE FUNCTION refuse_poison()");
        double before = meters.counter("ingest.errors", "source", "test", "error_type", "database_unavailable").count();
        NotifyBuilder done = ingestDone(1);
        asyncSend(event("lost", POISON_DEVICE, "2026-11-22T10:00:00Z", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'", Integer.class) > 0);
        jdbc.execute("DELETE FROM test_flags WHERE name = 'sleep'"); // the retry will not sleep
        jdbc.queryForList("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep'");
        assertThat(done.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(rows()).isEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Integer.class)).isZero();
        assertThat(meters.counter("ingest.errors", "source", "test", "error_type", "database_unavailable").count())
                .isGreaterThan(before);
    }

    @Test
    void aReplayedDeadLetterIsNotTakenForADuplicate() throws Exception {
        refuseDevice(POISON_DEVICE);
        send(event("replay-me", POISON_DEVICE, "2026-11-22T10:00:00Z", 1));
        long id = jdbc.queryForObject("SELECT id FROM dead_letters", Long.class);
        jdbc.execute("DROP TRIGGER refuse_poison ON ingest_events");
        // A dead letter of a source without a broker queue enters the pipeline by route replay (ingest.camel.yaml).
        NotifyBuilder throughReplay = new NotifyBuilder(camel).fromRoute("replay").whenCompleted(1).create();
        assertThat(camel.getRegistry().findSingleByType(routes.deadletter.DeadLetterReplayer.class).replay(id)).isTrue();
        assertThat(throughReplay.matches(0, TimeUnit.SECONDS)).as("the replay went through route replay").isTrue();
        assertThat(rows()).isEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT replayed_at IS NOT NULL FROM dead_letters WHERE id = ?", Boolean.class, id))
                .isTrue();
        assertThat(List.of(StatsInvariant.violations(jdbc))).containsExactly(List.of());
    }

    // --- direct:ingest with a batch of message exchanges, as a batching consumer hands them ---

    Exchange message(String body) {
        Exchange exchange = new org.apache.camel.support.DefaultExchange(camel);
        exchange.setProperty(IngestExchange.SOURCE, "test");
        exchange.setProperty(IngestExchange.QUEUE, "test-queue");
        exchange.setProperty(IngestExchange.RETRY_IN_PROCESS, false);
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return exchange;
    }

    Exchange sendBatch(List<Exchange> messages) {
        return producer.send("direct:ingest", exchange -> exchange.getMessage().setBody(messages));
    }

    double duplicates() {
        return meters.counter("ingest.events", "source", "test", "status", "duplicate").count();
    }

    @Test
    void aBatchCommitsItsValidNewEventsAsOneUnitAndOnlyTheRestGoMessageByMessage() {
        send(event("committed-before", DEVICE, "2026-11-22T09:00:00Z", 1));
        double duplicatesBefore = duplicates();
        List<Exchange> messages = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            messages.add(message(event("b-" + i, DEVICE, "2026-11-22T10:00:0" + i + "Z", i)));
        }
        messages.add(message(event("b-0", DEVICE, "2026-11-22T10:00:00Z", 0))); // repeated within the batch
        messages.add(message(event("committed-before", DEVICE, "2026-11-22T09:00:00Z", 1)));
        messages.add(message("{\"device_id\":\"nope\"}"));
        NotifyBuilder oneByOne = new NotifyBuilder(camel).fromRoute("dead-letter").whenDone(1).create();
        NotifyBuilder twoByOne = new NotifyBuilder(camel).fromRoute("commit-retry").whenDone(1).create();

        Exchange batch = sendBatch(messages); // returns once every message of it is done

        assertThat(batch.getException()).isNull();
        assertThat(messages).allSatisfy(m -> assertThat(m.getException()).isNull());
        assertThat(rows()).isEqualTo(33);
        assertThat(duplicates() - duplicatesBefore).isEqualTo(2);
        assertThat(jdbc.queryForMap("SELECT error_type, error_message FROM dead_letters"))
                .containsEntry("error_type", "validation")
                .hasEntrySatisfying("error_message", m -> assertThat((String) m).contains("device_id"));
        // Only the invalid message took the per-message route; the ten new events were one unit.
        assertThat(oneByOne.matches()).isTrue();
        assertThat(twoByOne.matches()).as("nothing else went message by message").isFalse();
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void aUnitTheDatabaseRefusesIsWrittenMessageByMessageAndOnlyTheMessageAtFaultIsDeadLettered() {
        List<Exchange> messages = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            messages.add(message(event("u-" + i, DEVICE, "2026-11-22T10:00:0" + i + "Z", i)));
        }
        // valid by the contract, but the database refuses its row (a data exception)
        refuseParameter(REFUSED_KEY);
        messages.add(message("{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T11:00:00Z\","
                + "\"metrics\":[{\"parameter_key\":\"" + REFUSED_KEY + "\",\"value\":1}]}"));
        NotifyBuilder perMessage = new NotifyBuilder(camel).fromRoute("commit-retry").whenDone(6).create();

        Exchange batch = sendBatch(messages);

        assertThat(batch.getException()).isNull();
        assertThat(perMessage.matches(10, TimeUnit.SECONDS)).as("all six went message by message").isTrue();
        assertThat(messages).allSatisfy(m -> assertThat(m.getException()).isNull());
        assertThat(rows()).isEqualTo(15);
        assertThat(jdbc.queryForMap("SELECT error_type, attempts FROM dead_letters"))
                .containsEntry("error_type", "rejected").containsEntry("attempts", 1);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void aBatchDuringADatabaseOutageFailsEachMessageBackToItsSource() {
        refuseDevice(POISON_DEVICE);
        jdbc.execute("CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN RAISE EXCEPTION USING ERRCODE = '57P03', MESSAGE = 'cannot connect now'; END $$");
        List<Exchange> messages = List.of(message(event("o-1", DEVICE, "2026-11-22T10:00:00Z", 1)),
                message(event("o-2", DEVICE, "2026-11-22T10:00:01Z", 2)));

        Exchange batch = sendBatch(messages);

        assertThat(batch.getException()).isNull();
        assertThat(messages).allSatisfy(m -> assertThat(m.getException()).isInstanceOf(DatabaseUnavailableException.class));
        assertThat(rows()).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Integer.class)).isZero();
    }

    @Test
    void aSingleMessageSentToTheBatchRouteTakesThePerMessageRoute() {
        Exchange result = producer.send("direct:ingest", exchange -> {
            exchange.setProperty(IngestExchange.SOURCE, "test");
            exchange.getMessage().setBody(event("single", DEVICE, "2026-11-22T10:00:00Z", 1).getBytes(StandardCharsets.UTF_8));
        });
        assertThat(result.getException()).isNull();
        assertThat(rows()).isEqualTo(3);
    }
}
