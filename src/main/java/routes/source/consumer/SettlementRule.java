package routes.source.consumer;

/**
 * The settlement rule every source shares: a message whose exchange completed without an exception
 * (outcome committed, duplicate, filtered, dead-lettered, or none) is acked; a failed one is retried
 * later with the delay for its attempt, and a database outage spends no attempt. Sources differ in
 * two switches: whether an outage keeps the message here instead of handing it back (NATS: a nak
 * would burn a delivery), and whether this was its last delivery (NATS: a nak would never come back).
 */
public final class SettlementRule {

    private final RetryDelay delay;
    private final boolean keepWhileDatabaseDown;

    public SettlementRule(RetryDelay delay, boolean keepWhileDatabaseDown) {
        this.delay = delay;
        this.keepWhileDatabaseDown = keepWhileDatabaseDown;
    }

    public RetryDelay delay() {
        return delay;
    }

    /**
     * @param failure      the message exchange's exception (or its batch's), null when it succeeded
     * @param attempt      the attempt that just ended (1 = the first delivery)
     * @param lastDelivery nothing would redeliver it if it were handed back
     * @param stopping     the consumer is stopping (an interrupted attempt is then no attempt at all)
     */
    public Decision decide(Exception failure, int attempt, boolean lastDelivery, boolean stopping) {
        if (failure == null) {
            return Decision.ACK;
        }
        if (stopping && Failures.interrupted(failure)) {
            return Decision.keep(java.time.Duration.ZERO);
        }
        if (Failures.databaseDown(failure)) {
            return keepWhileDatabaseDown ? Decision.keep(delay.after(attempt)) : Decision.retryLater(delay.after(attempt), false);
        }
        if (lastDelivery) {
            return Decision.keep(delay.after(attempt));
        }
        return Decision.retryLater(delay.after(attempt), true);
    }
}
