package routes.source.nats;

import java.time.Duration;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import routes.source.consumer.PooledEndpoint;

/** {@code jetstream:<stream>} consumer endpoint: its options are the durable pull consumer's settings. */
@UriEndpoint(scheme = "jetstream", title = "JetStream pull consumer", syntax = "jetstream:stream",
        consumerOnly = true, category = {Category.MESSAGING})
public class JetStreamEndpoint extends PooledEndpoint {

    /** The default of {@code batching}, as {@code ingest.sources.nats.batching}'s (a test keeps them equal). */
    public static final boolean DEFAULT_BATCHING = true;

    @UriPath(description = "The stream to consume") @Metadata(required = true)
    private final String stream;
    @UriParam(description = "The subject of the stream the consumer filters on") @Metadata(required = true)
    private String subject;
    @UriParam(description = "The durable consumer name") @Metadata(required = true)
    private String durable;
    @UriParam(defaultValue = "500", description = "Messages asked for in one pull request")
    private int batchSize = 500;
    @UriParam(defaultValue = "" + DEFAULT_BATCHING, description = "Hand the messages of a pull to the route as one"
            + " exchange, its body the list of the messages' exchanges (direct:ingest takes either); false: one exchange per message")
    private boolean batching = DEFAULT_BATCHING;
    @UriParam(defaultValue = "20000", description = "The consumer's max_ack_pending")
    private int maxAckPending = 20000;
    @UriParam(defaultValue = "5000", description = "Messages this consumer has handed to the route and not yet acked or nakked, at most")
    private int maxInFlight = 5000;
    @UriParam(defaultValue = "2", description = "Pull loops (threads) of this consumer (the pool's size unless"
            + " minConsumers/maxConsumers are set)")
    private int concurrency = 2;
    @UriParam(defaultValue = "30s", description = "The consumer's ack_wait")
    private Duration ackWait = Duration.ofSeconds(30);
    @UriParam(defaultValue = "5", description = "Deliveries of one message at most, enforced by this consumer: the"
            + " last one is retried here and then dead-lettered (the server-side consumer's max_deliver is unlimited)")
    private int maxDeliver = 5;
    @UriParam(defaultValue = "1s", description = "How long one pull request waits for its batch to fill")
    private Duration fetchTimeout = Duration.ofSeconds(1);
    @UriParam(defaultValue = "10ms", description = "With batching: the messages a pull received so far go to the route"
            + " once no further message came for this long (the pull goes on for the rest)")
    private Duration partialBatchAfter = Duration.ofMillis(10);

    public JetStreamEndpoint(String uri, JetStreamComponent component, String stream) {
        super(uri, component);
        this.stream = stream;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("jetstream: is a consumer; publish with the nats IngestSource");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (subject == null || durable == null) {
            throw new IllegalArgumentException("jetstream:" + stream + " needs subject= and durable=");
        }
        if (fetchTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("jetstream: fetchTimeout must be at least 100ms");
        }
        if (partialBatchAfter.isNegative() || partialBatchAfter.isZero() || partialBatchAfter.compareTo(fetchTimeout) >= 0) {
            throw new IllegalArgumentException("jetstream: partialBatchAfter must be above 0 and below fetchTimeout");
        }
        JetStreamConsumer consumer = new JetStreamConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public JetStreamComponent getComponent() {
        return (JetStreamComponent) super.getComponent();
    }

    JetStreamTopology.DurableSpec durableSpec() {
        return new JetStreamTopology.DurableSpec(stream, subject, durable, ackWait, maxAckPending);
    }

    public String getStream() {
        return stream;
    }

    public String getSubject() {
        return subject;
    }

    public void setSubject(String subject) {
        this.subject = subject;
    }

    public String getDurable() {
        return durable;
    }

    public void setDurable(String durable) {
        this.durable = durable;
    }

    public boolean isBatching() {
        return batching;
    }

    public void setBatching(boolean batching) {
        this.batching = batching;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public int getMaxAckPending() {
        return maxAckPending;
    }

    public void setMaxAckPending(int maxAckPending) {
        this.maxAckPending = maxAckPending;
    }

    public int getMaxInFlight() {
        return maxInFlight;
    }

    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    public int getConcurrency() {
        return concurrency;
    }

    public void setConcurrency(int concurrency) {
        this.concurrency = concurrency;
    }

    public Duration getAckWait() {
        return ackWait;
    }

    public void setAckWait(Duration ackWait) {
        this.ackWait = ackWait;
    }

    public int getMaxDeliver() {
        return maxDeliver;
    }

    public void setMaxDeliver(int maxDeliver) {
        this.maxDeliver = maxDeliver;
    }

    public Duration getFetchTimeout() {
        return fetchTimeout;
    }

    public void setFetchTimeout(Duration fetchTimeout) {
        this.fetchTimeout = fetchTimeout;
    }

    public Duration getPartialBatchAfter() {
        return partialBatchAfter;
    }

    public void setPartialBatchAfter(Duration partialBatchAfter) {
        this.partialBatchAfter = partialBatchAfter;
    }
}
