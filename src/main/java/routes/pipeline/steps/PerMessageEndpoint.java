package routes.pipeline.steps;

import java.util.concurrent.ExecutorService;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code per-message:direct:<name>[?messages=…&failure=…&handOff=…&together=…&step=…]}: a producer-only endpoint. On a
 * batch exchange (routes.pipeline.MessageBatch) it calls the route consuming {@code direct:<name>} with
 * each selected message exchange; the batch goes on once all of them are done.
 * <ul>
 *   <li>{@code messages=pending} (default): the messages still on their way, a team's step. A {@code stop}
 *       there settles the message {@code FILTERED}. When no route consumes {@code direct:<name>}, the step
 *       does nothing (decided once per batch), so a pipeline may name hooks that no team has filled.</li>
 *   <li>{@code messages=failed}: the messages that failed for good before the commit (invalid, or a team
 *       step failed on them), their failure as {@code CamelExceptionCaught}; done, they are dead-lettered.</li>
 *   <li>{@code messages=uncommitted}: the messages whose batch commit failed; done, they are committed (or
 *       dead-lettered, when the route says so).</li>
 * </ul>
 * {@code failure=step} (default): a failure in the route fails that message alone with a StepFailedException
 * naming the step ({@code error_type} {@code step}), for the pipeline to dead-letter. {@code failure=keep}:
 * the route's own failure stays on the message, for its source to settle.
 * <p>
 * {@code together=true}: the selected messages go to the route as ONE exchange whose body is their list (a batch,
 * as routes.pipeline.MessageBatch reads it), on the calling thread, so that the route handles them at once (the
 * dead letters: one transaction, one broker round trip); the route's failure is then each message's.
 * <p>
 * The messages run in turn on the calling thread, each when the one before is done. {@code handOff=true}: they
 * are sent all at once from a Camel-managed thread instead, so that a message that waits (a delayed
 * redelivery, its group commit) does not hold up the others, and the caller does not wait at all (a batch
 * writer, after a failed commit, must not wait for the aggregator's permits that only writers give back).
 */
@UriEndpoint(firstVersion = "4.17.0", scheme = PerMessageComponent.NAME, title = "Per message of a batch",
        syntax = "per-message:target", producerOnly = true, remote = false, category = {Category.CORE})
public class PerMessageEndpoint extends DefaultEndpoint {

    @UriPath(description = "The endpoint of the route each message runs through, a direct: endpoint"
            + " (direct:before-validation)")
    @Metadata(required = true)
    private final String target;
    @UriParam(description = "Which messages: pending (team steps), failed (to the dead letters) or uncommitted"
            + " (their batch commit failed)", enums = "pending,failed,uncommitted", defaultValue = "pending")
    private String messages = "pending";
    @UriParam(description = "What a failure in the route means: step (the message fails alone as a failed"
            + " step, error_type step) or keep (the route's failure stays on the message, for its source)",
            enums = "step,keep", defaultValue = "step")
    private String failure = "step";
    @UriParam(description = "Send the messages all at once from a Camel-managed thread instead of in turn on the"
            + " caller's", defaultValue = "false")
    private boolean handOff;
    @UriParam(description = "Send the selected messages together, as one exchange whose body is their list, instead"
            + " of one by one", defaultValue = "false")
    private boolean together;
    @UriParam(description = "The step's name in dead letters and logs; default: the id of the route"
            + " (route/inner-route when a route it calls failed)")
    private String step;
    private ExecutorService executor;

    public PerMessageEndpoint(String uri, PerMessageComponent component, String target) {
        super(uri, component);
        if (target == null || !target.startsWith("direct:")) {
            throw new IllegalArgumentException("per-message: calls a direct: endpoint (per-message:direct:<name>), not '"
                    + target + "'");
        }
        this.target = target;
    }

    @Override
    public Producer createProducer() {
        return new PerMessageProducer(this, MessageSelection.of(messages), keepsFailure());
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("per-message is a producer: use it in a to: step");
    }

    @Override
    public boolean isRemote() {
        return false;
    }

    boolean keepsFailure() {
        return switch (failure) {
            case "step" -> false;
            case "keep" -> true;
            default -> throw new IllegalArgumentException("per-message: failure=" + failure + " is not one of step, keep");
        };
    }

    synchronized ExecutorService executor() {
        if (executor == null) {
            executor = getCamelContext().getExecutorServiceManager().newCachedThreadPool(this, "per-message-" + target);
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

    public String getFailure() {
        return failure;
    }

    public void setFailure(String failure) {
        this.failure = failure;
    }

    public boolean isHandOff() {
        return handOff;
    }

    public void setHandOff(boolean handOff) {
        this.handOff = handOff;
    }

    public boolean isTogether() {
        return together;
    }

    public void setTogether(boolean together) {
        this.together = together;
    }

    public String getStep() {
        return step;
    }

    public void setStep(String step) {
        this.step = step;
    }
}
