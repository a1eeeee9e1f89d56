package routes.source.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.Jedis;
import routes.pipeline.validate.EventParser;
import routes.support.TestDatabase;

/**
 * Dead letters of the Redis list source against the local Redis and PostgreSQL: once per message through
 * the visibility-timeout recovery, and bodies that are not UTF-8 kept as bytes from the list to the dead
 * letter (the ack matches the exact entry, so they leave the processing list).
 */
@SpringBootTest
class RedisDeadLetterIT {

    static final String PREFIX = "it:RedisDeadLetterIT:";
    static final String QUEUE = PREFIX + "queue";
    static final String PROCESSING = QUEUE + ":processing";
    static final String DELAYED = QUEUE + ":delayed";
    static final String DLQ = QUEUE + ":dlq";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String url = TestDatabase.recreate("it_redis_dead_letter");
        registry.add("spring.datasource.url", () -> url);
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.redis.enabled", () -> "true");
        registry.add("ingest.sources.redis.queue", () -> QUEUE);
        registry.add("ingest.sources.redis.processing-list", () -> PROCESSING);
        registry.add("ingest.sources.redis.delayed-set", () -> DELAYED);
        registry.add("ingest.sources.redis.dlq", () -> DLQ);
        registry.add("ingest.sources.redis.visibility-timeout", () -> "2s");
        registry.add("ingest.sources.redis.recovery-interval", () -> "200ms");
    }

    @BeforeAll
    static void cleanRedis() {
        try (Jedis jedis = jedis()) {
            jedis.del(QUEUE, PROCESSING, DELAYED, DLQ, DELAYED + ":seq");
        }
    }

    @Autowired JdbcTemplate jdbc;
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void anEntryRecoveredAfterItsDeadLetterIsNotRecordedAgain() {
        String marker = UUID.randomUUID().toString();
        String invalid = "{\"device_id\": \"not-a-uuid\", \"marker\": \"" + marker + "\"}";
        try (Jedis jedis = jedis()) {
            jedis.lpush(QUEUE, invalid);
            await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 1 && jedis.llen(PROCESSING) == 0);
            // As a process killed between the dead letter's commit and the LREM leaves it: taken long ago.
            jedis.lpush(PROCESSING, QueueEntry.PREFIX + "1|0|" + invalid);
            await().atMost(Duration.ofSeconds(20)).until(() -> jedis.llen(PROCESSING) == 0 && jedis.llen(QUEUE) == 0);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> deadLetters(marker) == 1);
            assertThat(jedis.lrange(DLQ, 0, -1)).filteredOn(e -> e.contains(marker)).hasSize(1);
        }
    }

    @Test
    void entriesThatAreNotUtf8AreDeadLetteredOnceByteForByteAndLeaveTheProcessingList() throws Exception {
        String marker = UUID.randomUUID().toString();
        byte[] event = ("{\"event_id\":\"" + marker + "-3\",\"device_id\":\"0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11\","
                + "\"source_timestamp\":\"2026-11-21T08:00:00Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]}")
                .getBytes(StandardCharsets.UTF_8);
        event[event.length - 20] = (byte) 0xE9; // a flipped byte inside a string: not UTF-8 any more
        List<byte[]> bodies = List.of(
                concat(new byte[] {(byte) 0xff, (byte) 0xfe}, (" not json " + marker + "-1").getBytes(StandardCharsets.UTF_8)),
                concat(("{\"marker\": \"" + marker + "-2\", \"x\": \"").getBytes(StandardCharsets.UTF_8),
                        new byte[] {(byte) 0xc3, (byte) 0x28}, "\"}".getBytes(StandardCharsets.UTF_8)),
                event);
        try (Jedis jedis = jedis()) {
            for (byte[] body : bodies) {
                jedis.lpush(QUEUE.getBytes(StandardCharsets.UTF_8), body);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 3);
            // Past several visibility timeouts: none comes back, none is dead-lettered twice.
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(15))
                    .until(() -> jedis.llen(PROCESSING) == 0 && jedis.llen(QUEUE) == 0 && deadLetters(marker) == 3);

            List<Map<String, Object>> rows = jdbc.queryForList("SELECT dead_letter_id, headers->>'x-payload-base64' AS base64"
                    + " FROM dead_letters WHERE payload LIKE ? ORDER BY id", "%" + marker + "%");
            assertThat(rows).extracting(r -> Base64.getDecoder().decode((String) r.get("base64")))
                    .containsExactlyInAnyOrderElementsOf(bodies);
            List<JsonNode> copies = jedis.lrange(DLQ, 0, -1).stream().map(this::json)
                    .filter(d -> d.has("payload_base64")
                            && new String(Base64.getDecoder().decode(d.get("payload_base64").asText()), StandardCharsets.ISO_8859_1)
                            .contains(marker))
                    .toList();
            assertThat(copies).extracting(d -> Base64.getDecoder().decode(d.get("payload_base64").asText()))
                    .containsExactlyInAnyOrderElementsOf(bodies);
            assertThat(copies).extracting(d -> d.at("/headers/x-dead-letter-id").asText())
                    .containsExactlyInAnyOrderElementsOf(rows.stream().map(r -> (String) r.get("dead_letter_id")).toList());
        }
    }

    @Test
    void aMessageOverTheSizeLimitIsWholeOnTheDlqAndAPrefixWithItsSizeAndSha256InTheTable() throws Exception {
        String marker = UUID.randomUUID().toString();
        String big = "{\"marker\": \"" + marker + "\", \"pad\": \"" + "\\\"€".repeat(EventParser.MAX_MESSAGE_BYTES / 5) + "\"}";
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        try (Jedis jedis = jedis()) {
            jedis.lpush(QUEUE.getBytes(StandardCharsets.UTF_8), bytes);
            await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 1 && jedis.llen(PROCESSING) == 0);

            Map<String, Object> row = jdbc.queryForMap("SELECT payload, dead_letter_id, headers::text AS headers"
                    + " FROM dead_letters WHERE payload LIKE ?", "%" + marker + "%");
            String payload = (String) row.get("payload");
            assertThat(payload.getBytes(StandardCharsets.UTF_8).length).isBetween(65536 - 2, 65536);
            assertThat(big).startsWith(payload);
            JsonNode headers = json((String) row.get("headers"));
            assertThat(headers.get("x-error-type").asText()).isEqualTo("too_large");
            assertThat(headers.get("x-payload-size").asText()).isEqualTo(Integer.toString(bytes.length));
            assertThat(headers.get("x-payload-sha256").asText()).isEqualTo(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(bytes)));

            List<JsonNode> copies = jedis.lrange(DLQ, 0, -1).stream().map(this::json)
                    .filter(d -> d.path("payload").asText().contains(marker)).toList();
            assertThat(copies).hasSize(1);
            assertThat(copies.get(0).get("payload").asText().getBytes(StandardCharsets.UTF_8)).isEqualTo(bytes);
            assertThat(copies.get(0).at("/headers/x-dead-letter-id").asText()).isEqualTo(row.get("dead_letter_id"));
        }
    }

    private long deadLetters(String marker) {
        return jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE payload LIKE ?", Long.class, "%" + marker + "%");
    }

    private JsonNode json(String text) {
        try {
            return mapper.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        byte[] out = new byte[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static Jedis jedis() {
        return new Jedis(RedisService.HOST, RedisService.PORT);
    }
}
