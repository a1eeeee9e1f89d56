package routes.delivery;

/** Exchange properties between a queue consumer and the delivery sink ({@code direct:deliver}). */
public final class DeliveryExchange {

    /** The exact entry the consumer took into its processing list (so the sink can remove it atomically). */
    public static final String TAKEN = "deliveryTaken";
    /** The processing list that entry is in. */
    public static final String TAKEN_FROM = "deliveryTakenFrom";
    /** Set true by the sink once it removed the taken entry itself (parked or buried in the same step). */
    public static final String ACKED = "deliveryAcked";
    /** The message id the sink used. */
    public static final String MESSAGE_ID = "deliveryMessageId";

    private DeliveryExchange() {
    }
}
