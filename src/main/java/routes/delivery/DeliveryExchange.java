package routes.delivery;

/** Exchange properties of the delivery sink ({@code direct:deliver}). */
public final class DeliveryExchange {

    /** The message id the sink used. */
    public static final String MESSAGE_ID = "deliveryMessageId";

    private DeliveryExchange() {
    }
}
