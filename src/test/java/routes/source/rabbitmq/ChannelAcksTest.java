package routes.source.rabbitmq;

import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import com.rabbitmq.client.Channel;
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
}
