package routes.source.redis;

import java.time.Duration;
import org.apache.camel.Category;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import routes.source.consumer.PooledEndpoint;
import routes.source.consumer.RetryDelay;

/**
 * {@code redis-queue:<key>?mode=list|stream&...}: a consumer-only endpoint. List mode takes entries of
 * the list {@code key} atomically into {@code processingList} and removes them only after the route
 * completed them; stream mode reads stream {@code key} with a consumer group and XACKs after completion.
 * A failed entry is retried after {@code retryDelay}: {@code exponential} ({@code ingest.redelivery.*})
 * or {@code fixed} ({@code retryInterval}).
 */
@UriEndpoint(firstVersion = "4.17.0", scheme = RedisQueueComponent.NAME, title = "Redis reliable queue",
        syntax = "redis-queue:key", consumerOnly = true, category = {Category.MESSAGING})
public class RedisQueueEndpoint extends PooledEndpoint {

    /**
     * Exchange property a route may set on a failed message (bytes or text): the entry to park for the
     * retry instead of the taken one (the delivery worker parks the message with its attempt count).
     */
    public static final String REQUEUE_AS = "redisQueueRequeueAs";
    /** The default of {@code batching}, as {@code ingest.sources.redis.batching}'s (a test keeps them equal). */
    public static final boolean DEFAULT_BATCHING = true;

    @UriPath(description = "The list (list mode) or stream (stream mode) to consume")
    private final String key;
    @UriParam(defaultValue = "list", enums = "list,stream", description = "list: a reliable list queue; stream: a consumer group")
    private String mode = "list";
    @UriParam(description = "List mode: where taken entries wait until completed (default <key>:processing)")
    private String processingList;
    @UriParam(defaultValue = "false", description = "List mode: the processing list is this instance's alone: entries"
            + " are kept as they are, and everything in it is returned to the queue at start and stop (no visibility timeout)")
    private boolean ownProcessingList;
    @UriParam(description = "List mode: the sorted set of entries waiting for a delayed retry (default <key>:delayed)")
    private String delayedSet;
    @UriParam(defaultValue = "2", description = "Poller loops (the pool's size unless minConsumers/maxConsumers are set)")
    private int concurrency = 2;
    @UriParam(defaultValue = "500", description = "Entries taken per Redis call")
    private int batchSize = 500;
    @UriParam(defaultValue = "" + DEFAULT_BATCHING, description = "One exchange per Redis call, its body the list of the"
            + " entries' exchanges (direct:ingest takes either); false: one exchange per entry")
    private boolean batching = DEFAULT_BATCHING;
    @UriParam(defaultValue = "10000", description = "Entries taken but not completed, at most")
    private int maxInFlight = 10_000;
    @UriParam(defaultValue = "60s", description = "An entry taken longer ago than this is put back (or claimed)")
    private Duration visibilityTimeout = Duration.ofSeconds(60);
    @UriParam(defaultValue = "1s", description = "How often stuck and delayed entries are looked for")
    private Duration recoveryInterval = Duration.ofSeconds(1);
    @UriParam(defaultValue = "1s", description = "Own processing list: how long one blocking take waits")
    private Duration pollTimeout = Duration.ofSeconds(1);
    @UriParam(defaultValue = "30s", description = "On stop, how long entries in flight may finish")
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    @UriParam(defaultValue = "exponential", enums = "exponential,fixed",
            description = "The wait before a failed entry is retried: exponential (ingest.redelivery.*) or fixed (retryInterval)")
    private String retryDelay = "exponential";
    @UriParam(defaultValue = "30s", description = "retryDelay=fixed: the wait before every retry")
    private Duration retryInterval = Duration.ofSeconds(30);
    @UriParam(defaultValue = "ingest_workers", description = "Stream mode: the consumer group")
    private String group = "ingest_workers";
    @UriParam(defaultValue = "ingest-1", description = "Stream mode: this instance's consumer name")
    private String consumerName = "ingest-1";
    @UriParam(defaultValue = "payload", description = "Stream mode: the field holding the message")
    private String streamField = "payload";
    @UriParam(defaultValue = "redis", description = "The source name on exchanges and in ingest_workers{source}")
    private String source = RedisQueueConsumerSupport.SOURCE;

    public RedisQueueEndpoint(String uri, RedisQueueComponent component, String key) {
        super(uri, component);
        this.key = key;
    }

    @Override
    public RedisQueueComponent getComponent() {
        return (RedisQueueComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("redis-queue is a consumer; publish with RedisSource");
    }

    @Override
    public org.apache.camel.Consumer createConsumer(Processor processor) throws Exception {
        if (ownProcessingList && processingList == null) {
            throw new IllegalArgumentException("redis-queue:" + key + ": ownProcessingList needs a processingList of its own");
        }
        org.apache.camel.Consumer consumer = "stream".equals(mode)
                ? new RedisStreamConsumer(this, processor)
                : new RedisListConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    RetryDelay retryDelay() {
        return "fixed".equals(retryDelay) ? RetryDelay.fixed(retryInterval)
                : RetryDelay.exponential(getComponent().redelivery());
    }

    public String getKey() {
        return key;
    }

    public String getMode() {
        return mode;
    }

    public void setMode(String mode) {
        if (!"list".equals(mode) && !"stream".equals(mode)) {
            throw new IllegalArgumentException("redis-queue mode must be list or stream, not " + mode);
        }
        this.mode = mode;
    }

    public String getProcessingList() {
        return processingList == null ? key + ":processing" : processingList;
    }

    public void setProcessingList(String processingList) {
        this.processingList = processingList;
    }

    public boolean isOwnProcessingList() {
        return ownProcessingList;
    }

    public void setOwnProcessingList(boolean ownProcessingList) {
        this.ownProcessingList = ownProcessingList;
    }

    public String getDelayedSet() {
        return delayedSet == null ? key + ":delayed" : delayedSet;
    }

    public void setDelayedSet(String delayedSet) {
        this.delayedSet = delayedSet;
    }

    public int getConcurrency() {
        return concurrency;
    }

    public void setConcurrency(int concurrency) {
        this.concurrency = Math.max(1, concurrency);
    }

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = Math.max(1, batchSize);
    }

    public boolean isBatching() {
        return batching;
    }

    public void setBatching(boolean batching) {
        this.batching = batching;
    }

    public int getMaxInFlight() {
        return Math.max(maxInFlight, batchSize);
    }

    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    public long visibilityTimeoutMillis() {
        return visibilityTimeout.toMillis();
    }

    public Duration getVisibilityTimeout() {
        return visibilityTimeout;
    }

    public void setVisibilityTimeout(Duration visibilityTimeout) {
        this.visibilityTimeout = visibilityTimeout;
    }

    public long recoveryIntervalMillis() {
        return Math.max(10, recoveryInterval.toMillis());
    }

    public Duration getRecoveryInterval() {
        return recoveryInterval;
    }

    public void setRecoveryInterval(Duration recoveryInterval) {
        this.recoveryInterval = recoveryInterval;
    }

    public Duration getPollTimeout() {
        return pollTimeout;
    }

    public void setPollTimeout(Duration pollTimeout) {
        this.pollTimeout = pollTimeout;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public String getRetryDelay() {
        return retryDelay;
    }

    public void setRetryDelay(String retryDelay) {
        if (!"exponential".equals(retryDelay) && !"fixed".equals(retryDelay)) {
            throw new IllegalArgumentException("redis-queue retryDelay must be exponential or fixed, not " + retryDelay);
        }
        this.retryDelay = retryDelay;
    }

    public Duration getRetryInterval() {
        return retryInterval;
    }

    public void setRetryInterval(Duration retryInterval) {
        this.retryInterval = retryInterval;
    }

    public String getGroup() {
        return group;
    }

    public void setGroup(String group) {
        this.group = group;
    }

    public String getConsumerName() {
        return consumerName;
    }

    public void setConsumerName(String consumerName) {
        this.consumerName = consumerName;
    }

    public String getStreamField() {
        return streamField;
    }

    public void setStreamField(String streamField) {
        this.streamField = streamField;
    }

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }
}
