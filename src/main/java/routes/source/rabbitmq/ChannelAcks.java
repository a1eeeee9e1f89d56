package routes.source.rabbitmq;

import com.rabbitmq.client.Channel;
import java.io.IOException;

/**
 * The settling of one channel's deliveries. Successes are acked cumulatively: finished deliveries
 * wait until the next {@link #flush()} (a few milliseconds, or {@code flushAt} of them), which sends
 * one {@code basic.ack(multiple=true)} for all of them below the lowest delivery still in flight —
 * instead of one ack per message, each costing the broker queue-index work and the app a socket
 * write. A delivery still in flight (being retried, say) holds back the acks above it only until
 * {@code maxHeldBack} are waiting; then those are acked one by one, so the channel's prefetch window
 * never fills with finished messages. Failures are nacked at once, one by one, with requeue.
 *
 * <p>Tags are per channel and only grow; a redelivered message gets a new tag. Every method runs
 * under this object's lock: a nack reaches the channel before any multiple-ack above its tag. The tags
 * are kept in {@link UnsettledTags} (bits, not a {@code TreeSet<Long>}: this runs for every message).
 */
final class ChannelAcks {

    private final Channel channel;
    private final int flushAt;
    private final int maxHeldBack;
    /**
     * In flight: delivered, not yet settled. Finished: with success, not yet acked (all above the lowest
     * in flight, or waiting for the next flush).
     */
    private final UnsettledTags tags = new UnsettledTags();

    ChannelAcks(Channel channel, int flushAt, int maxHeldBack) {
        this.channel = channel;
        this.maxHeldBack = Math.max(1, maxHeldBack);
        this.flushAt = Math.max(1, Math.min(flushAt, this.maxHeldBack));
    }

    Channel channel() {
        return channel;
    }

    synchronized void delivered(long tag) {
        tags.delivered(tag);
    }

    /** The delivery's rows are committed (or it is durably dead-lettered). */
    synchronized void ack(long tag) throws IOException {
        if (!tags.finish(tag)) {
            return; // settled before (or delivered on an earlier channel)
        }
        if (tags.finished() >= flushAt) {
            flush();
        }
    }

    /** The delivery failed: back to the queue for redelivery. */
    synchronized void nack(long tag) throws IOException {
        if (!tags.forget(tag)) {
            return;
        }
        channel.basicNack(tag, false, true);
    }

    /** Acks what has finished: cumulatively below the lowest delivery in flight, the rest once too many wait. */
    synchronized void flush() throws IOException {
        if (tags.finished() == 0) {
            return;
        }
        long lowestInFlight = tags.lowestInFlight(); // past the highest tag if none is in flight
        long highestReady = tags.highestFinishedBelow(lowestInFlight);
        if (highestReady != UnsettledTags.NONE) {
            channel.basicAck(highestReady, true);
            tags.settleFinishedBelow(lowestInFlight);
        }
        if (tags.finished() >= maxHeldBack) {
            for (long tag = tags.nextFinished(0); tag != UnsettledTags.NONE; tag = tags.nextFinished(tag + 1)) {
                channel.basicAck(tag, false);
            }
            tags.settleAllFinished();
        }
    }
}
