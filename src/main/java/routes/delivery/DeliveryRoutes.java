package routes.delivery;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Redis {@code delivery_queue} → {@code direct:deliver} → the main server over mutual TLS, plus the
 * mover that puts due retries back on the queue. Any other source can feed {@code direct:deliver}
 * (body: the message); see docs/delivery.md. Java, not YAML: the routes exist only when enabled.
 */
@Component
@ConditionalOnProperty(prefix = "ingest.delivery", name = "enabled", havingValue = "true")
public class DeliveryRoutes extends RouteBuilder {

    public static final String SOURCE_ROUTE = "delivery-source";
    public static final String SINK_ROUTE = "delivery-sink";
    public static final String MOVER_ROUTE = "delivery-retry-mover";
    public static final String DELIVER = "direct:deliver";
    private static final int MOVE_BATCH = 500;

    private final DeliveryProperties properties;
    private final DeliverySink sink;
    private final DeliveryQueue queue;

    public DeliveryRoutes(DeliveryProperties properties, DeliverySink sink, DeliveryQueue queue) {
        this.properties = properties;
        this.sink = sink;
        this.queue = queue;
    }

    @Override
    public void configure() {
        from("delivery-queue:" + properties.queue()
                + "?minConsumers=" + properties.poolMin()
                + "&maxConsumers=" + properties.poolMax()
                + "&scaleUpDepth=" + properties.pool().scaleUpDepth()
                + "&checkIntervalMillis=" + properties.pool().checkInterval().toMillis()
                + "&pollTimeoutMillis=" + properties.pollTimeout().toMillis()
                + "&shutdownTimeoutMillis=" + properties.shutdownTimeout().toMillis())
            .routeId(SOURCE_ROUTE)
            .to(DELIVER);

        from(DELIVER)
            .routeId(SINK_ROUTE)
            .process(sink);

        // Due retries back onto the queue; the Lua script is atomic, so several workers may run it.
        from("timer:delivery-retry-mover?period=" + properties.moverInterval().toMillis())
            .routeId(MOVER_ROUTE)
            .bean(queue, "moveAllDue(" + MOVE_BATCH + ")");
    }
}
