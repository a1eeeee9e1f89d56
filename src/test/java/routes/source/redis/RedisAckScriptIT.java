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
import redis.clients.jedis.Jedis;

/**
 * The list queue's acknowledgement script against the local Redis: each acknowledged entry leaves the
 * processing list exactly once, whatever the order the batches finish in, and nothing else moves.
 */
class RedisAckScriptIT {

    private static final String QUEUE = "it:ack:queue";
    private static final String PROCESSING = "it:ack:queue:processing";

    private Jedis jedis;

    @BeforeEach
    void connect() {
        jedis = new Jedis(RedisService.HOST, RedisService.PORT);
        jedis.del(QUEUE, PROCESSING);
    }

    @AfterEach
    void close() {
        jedis.del(QUEUE, PROCESSING);
        jedis.close();
    }

    @Test
    void batchesAcknowledgedOutOfTakeOrderLeaveExactlyTheEntriesStillInFlight() {
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            messages.add(bytes("{\"event_id\":\"ack-" + i + "\",\"pad\":\"" + "x".repeat(200) + "\"}"));
        }
        messages.set(7, bytes("B".repeat(1_100_000))); // over 1 MiB: Redis keeps it in a node of its own
        messages.set(700, messages.get(701)); // a byte-identical re-send, taken in the same call
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

        assertThat(ack(List.of(taken.get(0), new Taken(bytes("ir1|1|0|"), bytes("never taken"))))).isZero();

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
        byte[][] args = new byte[2 * entries.size() + 2][];
        args[0] = bytes(PROCESSING);
        args[1] = RedisListConsumer.ackMarker();
        for (int i = 0; i < entries.size(); i++) {
            args[2 * i + 2] = entries.get(i).stamp();
            args[2 * i + 3] = entries.get(i).payload();
        }
        return (Long) jedis.eval(bytes(RedisScripts.ACK.getScriptAsString()), 1, args);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> text(List<byte[]> entries) {
        return entries.stream().map(e -> new String(e, StandardCharsets.UTF_8)).toList();
    }
}
