package routes.pipeline.steps;

import java.util.concurrent.ExecutorService;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * The endpoint of {@link EachMessageComponent}. {@code messages} selects what is sent:
 * <ul>
 *   <li>{@code failed}: messages that failed for good before the commit (invalid by CONTRACT §1, or a team
 *       step failed on them). The failure becomes {@code CamelExceptionCaught}, as an error handler leaves
 *       it; once the endpoint is done without a failure the message is {@link MessageOutcome#DEAD_LETTERED}.</li>
 *   <li>{@code uncommitted}: messages whose batch commit failed ({@link IngestExchange#COMMIT_FAILED}); once
 *       the endpoint is done without a failure the message is committed (or dead-lettered, when it says so).</li>
 * </ul>
 * A failure the endpoint hands back stays on the message, for its source to settle. With {@code handOff}
 * the messages are sent from a Camel-managed thread, not the caller's (a batch writer, after a failed
 * commit, must not wait for the aggregator's permits that only writers give back).
 */
@UriEndpoint(firstVersion = "4.17.0", scheme = "each-message", title = "Each message of a batch",
        syntax = "each-message:target", producerOnly = true, remote = false)
public class EachMessageEndpoint extends DefaultEndpoint {

    @UriPath(description = "The endpoint each selected message is sent to")
    private final String target;
    @UriParam(description = "Which messages: failed or uncommitted", enums = "failed,uncommitted")
    private String messages = "failed";
    @UriParam(description = "Send them from a Camel-managed thread instead of the caller's", defaultValue = "false")
    private boolean handOff;
    private ExecutorService executor;

    public EachMessageEndpoint(String uri, EachMessageComponent component, String target) {
        super(uri, component);
        this.target = target;
    }

    @Override
    public Producer createProducer() {
        return new EachMessageProducer(this, getCamelContext().getEndpoint(target), selection());
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("each-message: only sends");
    }

    EachMessageProducer.Selection selection() {
        return switch (messages) {
            case "failed" -> EachMessageProducer.Selection.FAILED;
            case "uncommitted" -> EachMessageProducer.Selection.UNCOMMITTED;
            default -> throw new IllegalArgumentException("each-message: messages=" + messages
                    + " is not one of failed, uncommitted");
        };
    }

    synchronized ExecutorService executor() {
        if (executor == null) {
            executor = getCamelContext().getExecutorServiceManager().newCachedThreadPool(this, "each-message-" + target);
        }
        return executor;
    }

    @Override
    protected void doStop() throws Exception {
        if (executor != null) {
            getCamelContext().getExecutorServiceManager().shutdownGraceful(executor);
            executor = null;
        }
        super.doStop();
    }

    public String getTarget() {
        return target;
    }

    public String getMessages() {
        return messages;
    }

    public void setMessages(String messages) {
        this.messages = messages;
    }

    public boolean isHandOff() {
        return handOff;
    }

    public void setHandOff(boolean handOff) {
        this.handOff = handOff;
    }
}
