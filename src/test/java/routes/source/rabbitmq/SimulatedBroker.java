package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.BitSet;

/**
 * A channel's broker side for {@link ChannelAcks}: it tracks its unacked deliveries and fails at once on
 * an ack of a delivery the app has not finished (a multiple-ack covering one still in flight or nacked),
 * and on a settle of one it no longer holds. A plain proxy, not a mock: a million messages stay quick.
 */
final class SimulatedBroker {

    final Channel channel = (Channel) Proxy.newProxyInstance(Channel.class.getClassLoader(),
            new Class<?>[] {Channel.class}, this::invoke);
    private final BitSet unacked = new BitSet();
    private final BitSet finished = new BitSet();
    private final BitSet failed = new BitSet();
    int multipleAcks;
    int singleAcks;
    int nacks;

    private Object invoke(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "basicAck" -> ack((long) args[0], (boolean) args[1]);
            case "basicNack" -> nack((long) args[0], (boolean) args[1], (boolean) args[2]);
            default -> throw new UnsupportedOperationException(method.toString());
        }
        return null;
    }

    void deliver(ChannelAcks acks, long tag) {
        unacked.set(index(tag));
        acks.delivered(tag);
    }

    void finish(ChannelAcks acks, long tag) throws IOException {
        finished.set(index(tag));
        acks.ack(tag);
    }

    void fail(ChannelAcks acks, long tag) throws IOException {
        failed.set(index(tag));
        acks.nack(tag);
    }

    int unacked() {
        return unacked.cardinality();
    }

    private void ack(long tag, boolean multiple) {
        int index = index(tag);
        if (!multiple) {
            assertThat(unacked.get(index)).as("single ack of %d: unacked", tag).isTrue();
            assertThat(finished.get(index)).as("single ack of %d: finished", tag).isTrue();
            unacked.clear(index);
            singleAcks++;
            return;
        }
        assertThat(unacked.get(index)).as("multiple ack up to %d: %d unacked", tag, tag).isTrue();
        for (int covered = unacked.nextSetBit(0); covered >= 0 && covered <= index; covered = unacked.nextSetBit(covered + 1)) {
            assertThat(finished.get(covered)).as("multiple ack up to %d covers %d: finished", tag, covered).isTrue();
            unacked.clear(covered);
        }
        multipleAcks++;
    }

    private void nack(long tag, boolean multiple, boolean requeue) {
        assertThat(multiple).as("nack of %d: multiple", tag).isFalse();
        assertThat(requeue).as("nack of %d: requeue", tag).isTrue();
        assertThat(unacked.get(index(tag))).as("nack of %d: unacked", tag).isTrue();
        assertThat(failed.get(index(tag))).as("nack of %d: failed", tag).isTrue();
        unacked.clear(index(tag));
        nacks++;
    }

    private static int index(long tag) {
        return Math.toIntExact(tag);
    }
}
