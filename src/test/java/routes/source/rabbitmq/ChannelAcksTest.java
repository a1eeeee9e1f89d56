package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import com.rabbitmq.client.Channel;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** Cumulative acks: one multiple-ack below the lowest delivery in flight, never above it. */
class ChannelAcksTest {

    final Channel channel = mock(Channel.class);

    ChannelAcks delivered(int flushAt, int maxHeldBack, long... tags) {
        ChannelAcks acks = new ChannelAcks(channel, flushAt, maxHeldBack);
        for (long tag : tags) {
            acks.delivered(tag);
        }
        return acks;
    }

    @Test
    void finishedDeliveriesWaitForTheFlushAndLeaveAsOneMultipleAck() throws Exception {
        ChannelAcks acks = delivered(100, 100, 1, 2, 3);
        acks.ack(1);
        acks.ack(2);
        acks.ack(3);
        verify(channel, never()).basicAck(anyLong(), anyBoolean());

        acks.flush();

        verify(channel).basicAck(3, true);
        verifyNoMoreInteractions(channel);
    }

    @Test
    void aDeliveryInFlightHoldsBackTheAcksAboveIt() throws Exception {
        ChannelAcks acks = delivered(100, 100, 1, 2, 3, 4);
        acks.ack(1);
        acks.ack(3);
        acks.ack(4);

        acks.flush();
        verify(channel).basicAck(1, true);
        verifyNoMoreInteractions(channel);

        acks.ack(2);
        acks.flush();
        verify(channel).basicAck(4, true);
        verifyNoMoreInteractions(channel);
    }

    @Test
    void aFailureIsNackedAtOnceBeforeAnyMultipleAckAboveIt() throws Exception {
        ChannelAcks acks = delivered(100, 100, 1, 2, 3);
        acks.ack(1);
        acks.nack(2);
        acks.ack(3);
        acks.flush();

        InOrder order = inOrder(channel);
        order.verify(channel).basicNack(2, false, true);
        order.verify(channel).basicAck(3, true);
        verifyNoMoreInteractions(channel);
    }

    @Test
    void tooManyHeldBackAreAckedOneByOneSoThePrefetchWindowStaysOpen() throws Exception {
        ChannelAcks acks = delivered(100, 3, 1, 2, 3, 4);
        acks.ack(2);
        acks.ack(3);
        acks.flush();
        verify(channel, never()).basicAck(anyLong(), anyBoolean());

        acks.ack(4);
        acks.flush();
        verify(channel).basicAck(2, false);
        verify(channel).basicAck(3, false);
        verify(channel).basicAck(4, false);

        acks.ack(1);
        acks.flush();
        verify(channel).basicAck(1, true);
        verifyNoMoreInteractions(channel);
    }

    @Test
    void enoughFinishedDeliveriesFlushWithoutWaitingForTheTimer() throws Exception {
        ChannelAcks acks = delivered(2, 10, 1, 2, 3);
        acks.ack(1);
        verify(channel, never()).basicAck(anyLong(), anyBoolean());
        acks.ack(2);
        verify(channel).basicAck(2, true);
    }

    @Test
    void aDeliverySettledTwiceOrUnknownIsIgnored() throws Exception {
        ChannelAcks acks = delivered(1, 10, 1);
        acks.ack(1);
        acks.ack(1);
        acks.nack(7);
        verify(channel).basicAck(1, true);
        verifyNoMoreInteractions(channel);
    }

    @Test
    void aTagHeldFarBelowManyFinishedOnesKeepsTheMultipleAckBelowIt() throws Exception {
        ChannelAcks acks = new ChannelAcks(channel, 1_000_000, 1_000_000);
        for (long tag = 1; tag <= 20_000; tag++) {
            acks.delivered(tag);
        }
        for (long tag = 1; tag <= 20_000; tag++) {
            if (tag != 3 && tag != 15_000) {
                acks.ack(tag);
            }
        }
        acks.flush();
        verify(channel).basicAck(2, true);

        acks.ack(3);
        acks.flush();
        verify(channel).basicAck(14_999, true);

        acks.nack(15_000);
        acks.flush();
        InOrder order = inOrder(channel);
        order.verify(channel).basicNack(15_000, false, true);
        order.verify(channel).basicAck(20_000, true);
        verifyNoMoreInteractions(channel);
    }

    @Test
    void maxHeldBackReachedAcksEachFinishedOneAboveTheHeldTagOnceInOrder() throws Exception {
        ChannelAcks acks = delivered(100, 4, 1, 2, 3, 4, 5, 6, 7, 8);
        acks.ack(1);
        acks.ack(3);
        acks.ack(5);
        acks.ack(8);
        acks.flush(); // 1 goes cumulatively; 3, 5, 8 wait behind 2
        verify(channel).basicAck(1, true);
        verifyNoMoreInteractions(channel);

        acks.ack(7);
        acks.flush(); // 4 wait: each acked alone, in order
        InOrder order = inOrder(channel);
        order.verify(channel).basicAck(3, false);
        order.verify(channel).basicAck(5, false);
        order.verify(channel).basicAck(7, false);
        order.verify(channel).basicAck(8, false);
        verifyNoMoreInteractions(channel);

        acks.ack(6); // between acked ones, still behind 2
        acks.flush();
        verifyNoMoreInteractions(channel);
        acks.ack(2);
        acks.flush(); // 3 is acked already
        verify(channel).basicAck(2, true);
        acks.ack(4);
        acks.flush();
        verify(channel).basicAck(6, true);
        verifyNoMoreInteractions(channel);
    }

    @Test
    void aNackBetweenAcksLeavesBeforeTheMultipleAckAboveIt() throws Exception {
        ChannelAcks acks = delivered(100, 100, 1, 2, 3, 4, 5, 6);
        acks.ack(1);
        acks.ack(2);
        acks.nack(3);
        acks.ack(4);
        acks.nack(5);
        acks.flush();

        InOrder order = inOrder(channel);
        order.verify(channel).basicNack(3, false, true);
        order.verify(channel).basicNack(5, false, true);
        order.verify(channel).basicAck(4, true);
        verifyNoMoreInteractions(channel);
    }

    @Test
    void aTagSettledTwiceOrNeverDeliveredIsIgnoredAnywhere() throws Exception {
        ChannelAcks acks = delivered(100, 100, 5, 6, 7, 70, 200);
        acks.ack(5);
        acks.nack(6);
        acks.ack(5);
        acks.nack(5);
        acks.ack(6);
        acks.nack(6);
        for (long unknown : new long[] {0, 1, 4, 8, 69, 71, 199, 201, 64_000, Long.MAX_VALUE}) {
            acks.ack(unknown);
            acks.nack(unknown);
        }
        acks.flush();

        InOrder order = inOrder(channel);
        order.verify(channel).basicNack(6, false, true);
        order.verify(channel).basicAck(5, true);
        verifyNoMoreInteractions(channel);

        acks.ack(7);
        acks.ack(70);
        acks.ack(200);
        acks.ack(200);
        acks.flush();
        verify(channel).basicAck(200, true);
        verify(channel, times(2)).basicAck(anyLong(), anyBoolean());
    }

    @Test
    void aMillionTagsGrowPastAnyCapacityWhileAFewStayInFlight() throws Exception {
        SimulatedBroker broker = new SimulatedBroker();
        ChannelAcks acks = new ChannelAcks(broker.channel, 500, 1_000);
        Set<Long> held = Set.of(1L, 300_000L, 300_001L, 999_000L);
        for (long tag = 1; tag <= 1_000_000; tag++) {
            broker.deliver(acks, tag);
            long previous = tag - 64; // finishes a little out of order
            if (previous >= 1 && !held.contains(previous)) {
                broker.finish(acks, previous);
            }
            if (tag % 700 == 0) {
                acks.flush();
            }
        }
        for (long tag = 1_000_000 - 63; tag <= 1_000_000; tag++) {
            broker.finish(acks, tag);
        }
        acks.flush();
        assertThat(broker.multipleAcks).as("nothing below tag 1").isZero();
        assertThat(broker.unacked()).as("held, and fewer than maxHeldBack finished").isBetween(4, 4 + 999);

        broker.finish(acks, 1);
        broker.fail(acks, 300_001);
        acks.flush();
        broker.finish(acks, 999_000);
        broker.finish(acks, 300_000);
        acks.flush();

        assertThat(broker.unacked()).isZero();
        assertThat(broker.nacks).isOne();
        assertThat(broker.singleAcks).isGreaterThan(990_000);
    }
}
