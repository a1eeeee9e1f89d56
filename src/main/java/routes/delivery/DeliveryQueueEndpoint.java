package routes.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** One Redis list consumed by {@link DeliveryQueueConsumer}; consume only. */
public class DeliveryQueueEndpoint extends DefaultEndpoint {

    private final DeliveryQueue queue;
    private final MeterRegistry registry;
    private String source = DeliverySink.SOURCE;
    private int minConsumers = 1;
    private int maxConsumers = 1;
    private int scaleUpDepth = 10;
    private long checkIntervalMillis = 2000;
    private long pollTimeoutMillis = 1000;
    private long shutdownTimeoutMillis = 20000;

    DeliveryQueueEndpoint(String uri, DeliveryQueueComponent component, DeliveryQueue queue, MeterRegistry registry) {
        super(uri, component);
        this.queue = queue;
        this.registry = registry;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        DeliveryQueueConsumer consumer = new DeliveryQueueConsumer(this, processor, queue, registry);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("delivery-queue is consume only: producers LPUSH to the list");
    }

    @Override
    public boolean isSingletonProducer() {
        return false;
    }

    /** The source name in metrics ({@code ingest_workers{source}}). */
    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public int getMinConsumers() {
        return minConsumers;
    }

    public void setMinConsumers(int minConsumers) {
        this.minConsumers = minConsumers;
    }

    public int getMaxConsumers() {
        return Math.max(minConsumers, maxConsumers);
    }

    public void setMaxConsumers(int maxConsumers) {
        this.maxConsumers = maxConsumers;
    }

    public int getScaleUpDepth() {
        return scaleUpDepth;
    }

    public void setScaleUpDepth(int scaleUpDepth) {
        this.scaleUpDepth = scaleUpDepth;
    }

    public long getCheckIntervalMillis() {
        return checkIntervalMillis;
    }

    public void setCheckIntervalMillis(long checkIntervalMillis) {
        this.checkIntervalMillis = checkIntervalMillis;
    }

    public long getPollTimeoutMillis() {
        return pollTimeoutMillis;
    }

    public void setPollTimeoutMillis(long pollTimeoutMillis) {
        this.pollTimeoutMillis = pollTimeoutMillis;
    }

    public long getShutdownTimeoutMillis() {
        return shutdownTimeoutMillis;
    }

    public void setShutdownTimeoutMillis(long shutdownTimeoutMillis) {
        this.shutdownTimeoutMillis = shutdownTimeoutMillis;
    }
}
