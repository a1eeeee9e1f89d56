package routes.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;
import redis.clients.jedis.Jedis;

/**
 * The list queue's acknowledgement ({@link ProcessingListAck}: the script, and one {@code LREM} for each large
 * entry) against the local Redis: each acknowledged entry leaves the processing list exactly once, whatever the
 * order the batches finish in, and nothing else moves.
 */
class RedisAckScriptIT {

    private static final String QUEUE = "it:ack:queue";
    private static final String PROCESSING = "it:ack:queue:processing";

    private Jedis jedis;
    private JedisConnectionFactory factory;
    private ProcessingListAck ack;

    @BeforeEach
    void connect() {
        jedis = new Jedis(RedisService.HOST, RedisService.PORT);
        jedis.del(QUEUE, PROCESSING);
        factory = new JedisConnectionFactory(new RedisStandaloneConfiguration(RedisService.HOST, RedisService.PORT));
        factory.afterPropertiesSet();
        factory.start();
        RedisTemplate<String, byte[]> template = new RedisTemplate<>();
        template.setConnectionFactory(factory);
        template.setKeySerializer(RedisSerializer.string());
        template.setValueSerializer(RedisSerializer.byteArray());
        template.afterPropertiesSet();
        ack = new ProcessingListAck(template, PROCESSING);
    }

    @AfterEach
    void close() {
        jedis.del(QUEUE, PROCESSING);
        jedis.close();
        factory.destroy();
    }

    @Test
    void batchesAcknowledgedOutOfTakeOrderLeaveExactlyTheEntriesStillInFlight() {
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            messages.add(bytes("{\"event_id\":\"ack-" + i + "\",\"pad\":\"" + "x".repeat(200) + "\"}"));
        }
        messages.set(7, bytes("B".repeat(1_100_000))); // over 1 MiB: Redis keeps it in a node of its own
        messages.set(700, messages.get(701)); // a byte-identical re-send, taken in the same call
        messages.set(900, bytes("C".repeat(ProcessingListAck.REMOVED_ALONE_FROM))); // large, still in flight below
        messages.set(901, messages.get(900)); // and its byte-identical re-send, acknowledged
        messages.set(902, bytes("D".repeat(ProcessingListAck.REMOVED_ALONE_FROM - 100))); // through the script
        push(messages);
        List<Taken> first = take(600);
        List<Taken> second = take(600);
        assertThat(jedis.llen(PROCESSING)).isEqualTo(1200);

        // The newer batch finishes first, except three entries still in flight (a retry, a slow one).
        List<Taken> stillInFlight = List.of(second.get(0), second.get(300), second.get(599));
        List<Taken> secondDone = new ArrayList<>(second);
        secondDone.removeAll(stillInFlight);
        assertThat(ack(secondDone)).isEqualTo(597);
        // Then the older one, its settlements in no particular order.
        List<Taken> firstDone = new ArrayList<>(first);
        Collections.shuffle(firstDone, new Random(16));
        assertThat(ack(firstDone)).isEqualTo(600);

        assertThat(text(jedis.lrange(PROCESSING.getBytes(StandardCharsets.UTF_8), 0, -1)))
                .containsExactly(stillInFlight.get(2).text(), stillInFlight.get(1).text(), stillInFlight.get(0).text());
        assertThat(first.get(7).payload()).isEqualTo(messages.get(7));
        assertThat(second.get(300).entry().length).isGreaterThan(ProcessingListAck.REMOVED_ALONE_FROM);
        assertThat(second.get(302).entry().length).isLessThan(ProcessingListAck.REMOVED_ALONE_FROM);
    }

    @Test
    void largeEntriesBetweenSmallOnesLeaveExactlyOnceAndTheirNeighboursStay() {
        byte[] large = bytes("L".repeat(300_000));
        push(List.of(bytes("{\"event_id\":\"s1\"}"), large, bytes("{\"event_id\":\"s2\"}"), large,
                bytes("L".repeat(300_001)), bytes("{\"event_id\":\"s3\"}")));
        List<Taken> taken = take(6);

        // one of the two identical large entries, the other large one and two small ones; s2 and a copy stay
        assertThat(ack(List.of(taken.get(0), taken.get(1), taken.get(4), taken.get(5)))).isEqualTo(4);

        assertThat(text(jedis.lrange(PROCESSING.getBytes(StandardCharsets.UTF_8), 0, -1)))
                .containsExactly(taken.get(3).text(), taken.get(2).text());
    }

    @Test
    void byteIdenticalEntriesLeaveOneAcknowledgementEach() {
        byte[] same = bytes("{\"event_id\":\"twice\"}");
        push(List.of(same, same, same));
        List<Taken> taken = take(3);
        assertThat(taken.get(0).text()).isEqualTo(taken.get(1).text()).isEqualTo(taken.get(2).text());

        assertThat(ack(List.of(taken.get(0), taken.get(1)))).isEqualTo(2);

        assertThat(text(jedis.lrange(PROCESSING.getBytes(StandardCharsets.UTF_8), 0, -1)))
                .containsExactly(taken.get(2).text());
    }

    @Test
    void anEntryNoLongerThereIsNotCountedAndTakesNothingElse() {
        push(List.of(bytes("{\"event_id\":\"a\"}"), bytes("{\"event_id\":\"b\"}")));
        List<Taken> taken = take(2);
        // the recoverer put "a" back in the queue meanwhile
        jedis.lrem(PROCESSING.getBytes(StandardCharsets.UTF_8), 1, taken.get(0).entry());

        assertThat(ack(List.of(taken.get(0), new Taken(bytes("ir1|1|0|"), bytes("never taken")),
                new Taken(bytes("ir1|1|0|"), bytes("N".repeat(ProcessingListAck.REMOVED_ALONE_FROM)))))).isZero();

        assertThat(text(jedis.lrange(PROCESSING.getBytes(StandardCharsets.UTF_8), 0, -1)))
                .containsExactly(taken.get(1).text());
    }

    private void push(List<byte[]> messages) {
        for (byte[] m : messages) {
            jedis.lpush(QUEUE.getBytes(StandardCharsets.UTF_8), m); // the consumer takes from the right
        }
    }

    /** An entry as the take script returns it: its stamp and its payload. */
    private record Taken(byte[] stamp, byte[] payload) {
        byte[] entry() {
            byte[] entry = Arrays.copyOf(stamp, stamp.length + payload.length);
            System.arraycopy(payload, 0, entry, stamp.length, payload.length);
            return entry;
        }

        String text() {
            return new String(entry(), StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    private List<Taken> take(int max) {
        List<byte[]> reply = (List<byte[]>) jedis.eval(bytes(RedisScripts.TAKE.getScriptAsString()), 2,
                bytes(QUEUE), bytes(PROCESSING), bytes(Integer.toString(max)));
        List<Taken> taken = new ArrayList<>();
        for (int i = 0; i < reply.size(); i += 2) {
            taken.add(new Taken(reply.get(i), reply.get(i + 1)));
        }
        return taken;
    }

    private long ack(List<Taken> entries) {
        return ack.acknowledge(entries.stream().map(Taken::entry).toList());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> text(List<byte[]> entries) {
        return entries.stream().map(e -> new String(e, StandardCharsets.UTF_8)).toList();
    }
}
