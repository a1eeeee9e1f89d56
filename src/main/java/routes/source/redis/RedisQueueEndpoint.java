package routes.source.redis;

import org.apache.camel.Category;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.util.TimeUtils;

/**
 * {@code redis-queue:<key>?mode=list|stream&...}: a consumer-only endpoint. List mode takes entries of
 * the list {@code key} atomically into {@code processingList} and removes them only after the route
 * completed them; stream mode reads stream {@code key} with a consumer group and XACKs after completion.
 */
@UriEndpoint(firstVersion = "4.17.0", scheme = RedisQueueComponent.NAME, title = "Redis reliable queue",
        syntax = "redis-queue:key", consumerOnly = true, category = {Category.MESSAGING})
public class RedisQueueEndpoint extends DefaultEndpoint {

    @UriPath(description = "The list (list mode) or stream (stream mode) to consume")
    private final String key;
    @UriParam(defaultValue = "list", enums = "list,stream", description = "list: a reliable list queue; stream: a consumer group")
    private String mode = "list";
    @UriParam(description = "List mode: where taken entries wait until completed (default <key>:processing)")
    private String processingList;
    @UriParam(description = "List mode: the sorted set of entries waiting for a delayed retry (default <key>:delayed)")
    private String delayedSet;
    @UriParam(defaultValue = "2", description = "Poller threads")
    private int concurrency = 2;
    @UriParam(defaultValue = "500", description = "Entries taken per Redis call")
    private int batchSize = 500;
    @UriParam(defaultValue = "false", description = "One exchange per Redis call, its body the list of the entries'"
            + " exchanges (direct:ingest takes either); false: one exchange per entry")
    private boolean batching;
    @UriParam(defaultValue = "10000", description = "Entries taken but not completed, at most")
    private int maxInFlight = 10_000;
    @UriParam(defaultValue = "60s", description = "An entry taken longer ago than this is put back (or claimed)")
    private String visibilityTimeout = "60s";
    @UriParam(defaultValue = "1s", description = "How often stuck and delayed entries are looked for")
    private String recoveryInterval = "1s";
    @UriParam(defaultValue = "ingest_workers", description = "Stream mode: the consumer group")
    private String group = "ingest_workers";
    @UriParam(defaultValue = "ingest-1", description = "Stream mode: this instance's consumer name")
    private String consumerName = "ingest-1";
    @UriParam(defaultValue = "payload", description = "Stream mode: the field holding the message")
    private String streamField = "payload";

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
        org.apache.camel.Consumer consumer = "stream".equals(mode)
                ? new RedisStreamConsumer(this, processor)
                : new RedisListConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
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
        return TimeUtils.toMilliSeconds(visibilityTimeout);
    }

    public String getVisibilityTimeout() {
        return visibilityTimeout;
    }

    public void setVisibilityTimeout(String visibilityTimeout) {
        this.visibilityTimeout = visibilityTimeout;
    }

    public long recoveryIntervalMillis() {
        return Math.max(10, TimeUtils.toMilliSeconds(recoveryInterval));
    }

    public String getRecoveryInterval() {
        return recoveryInterval;
    }

    public void setRecoveryInterval(String recoveryInterval) {
        this.recoveryInterval = recoveryInterval;
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
}
