package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link ChannelAcks} sends exactly what its first version did (kept below as {@link TreeSetAcks}, the
 * model) for random deliveries, acks, nacks (of known, settled and unknown tags) and flushes, with
 * tags held long enough for the tag ring to wrap and grow.
 */
class ChannelAcksModelTest {

    @Property(tries = 200)
    void sendsTheSameAcksAndNacksAsTheTreeSetModel(@ForAll long seed,
                                                   @ForAll @IntRange(min = 1, max = 12) int flushAt,
                                                   @ForAll @IntRange(min = 1, max = 16) int maxHeldBack,
                                                   @ForAll @IntRange(min = 1, max = 300) int spread,
                                                   @ForAll @IntRange(min = 10, max = 20_000) int steps) throws IOException {
        List<String> sent = new ArrayList<>();
        ChannelAcks acks = new ChannelAcks(recording(sent), flushAt, maxHeldBack);
        TreeSetAcks model = new TreeSetAcks(flushAt, maxHeldBack);
        Random random = new Random(seed);
        long next = 1;
        for (int step = 0; step < steps; step++) {
            int action = random.nextInt(100);
            if (action < 45) {
                next += random.nextInt(50) == 0 ? 1 + random.nextInt(100) : 1; // a gap: tags never seen here
                acks.delivered(next);
                model.delivered(next);
            } else if (action < 90) {
                long tag = pick(random, next, spread);
                if (random.nextInt(10) == 0) {
                    acks.nack(tag);
                    model.nack(tag);
                } else {
                    acks.ack(tag);
                    model.ack(tag);
                }
            } else {
                acks.flush();
                model.flush();
            }
            assertThat(sent).as("calls after step %d", step).hasSameSizeAs(model.sent);
        }
        assertThat(sent).isEqualTo(model.sent);
    }

    /** Mostly a recent tag, sometimes one held long ago, sometimes one never delivered. */
    private static long pick(Random random, long next, int spread) {
        return switch (random.nextInt(20)) {
            case 0 -> random.nextLong(next + 10); // anywhere: settled, held, unknown, not yet delivered
            case 1 -> next + random.nextInt(5_000); // never delivered
            default -> Math.max(0, next - random.nextInt(spread));
        };
    }

    private static Channel recording(List<String> sent) {
        return (Channel) Proxy.newProxyInstance(Channel.class.getClassLoader(), new Class<?>[] {Channel.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "basicAck" -> sent.add("ack " + args[0] + " " + args[1]);
                        case "basicNack" -> sent.add("nack " + args[0] + " " + args[1] + " " + args[2]);
                        default -> throw new UnsupportedOperationException(method.toString());
                    }
                    return null;
                });
    }

    /** ChannelAcks as first written (commit 3b90cb7), its channel calls recorded. */
    static final class TreeSetAcks {

        final List<String> sent = new ArrayList<>();
        private final int flushAt;
        private final int maxHeldBack;
        private final TreeSet<Long> inFlight = new TreeSet<>();
        private final TreeSet<Long> heldBack = new TreeSet<>();

        TreeSetAcks(int flushAt, int maxHeldBack) {
            this.maxHeldBack = Math.max(1, maxHeldBack);
            this.flushAt = Math.max(1, Math.min(flushAt, this.maxHeldBack));
        }

        void delivered(long tag) {
            inFlight.add(tag);
        }

        void ack(long tag) {
            if (!inFlight.remove(tag)) {
                return;
            }
            heldBack.add(tag);
            if (heldBack.size() >= flushAt) {
                flush();
            }
        }

        void nack(long tag) {
            if (!inFlight.remove(tag)) {
                return;
            }
            sent.add("nack " + tag + " false true");
        }

        void flush() {
            if (heldBack.isEmpty()) {
                return;
            }
            Long lowestInFlight = inFlight.isEmpty() ? null : inFlight.first();
            Long highestReady = lowestInFlight == null ? heldBack.last() : heldBack.lower(lowestInFlight);
            if (highestReady != null) {
                sent.add("ack " + highestReady + " true");
                heldBack.headSet(highestReady, true).clear();
            }
            if (heldBack.size() >= maxHeldBack) {
                for (long tag : heldBack) {
                    sent.add("ack " + tag + " false");
                }
                heldBack.clear();
            }
        }
    }
}
