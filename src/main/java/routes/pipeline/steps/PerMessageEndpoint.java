package routes.pipeline.steps;

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
 * {@code per-message:direct:<name>[?step=<label>]}: a producer-only endpoint. On a batch exchange
 * (routes.pipeline.MessageBatch) it calls the route consuming {@code direct:<name>} with each pending
 * message exchange in turn; a {@code stop} there settles the message {@code FILTERED}, an exception fails
 * that message alone with a StepFailedException. When no route consumes {@code direct:<name>}, the step
 * does nothing (decided once per batch), so a pipeline may name hooks that no team has filled.
 */
@UriEndpoint(firstVersion = "4.17.0", scheme = PerMessageComponent.NAME, title = "Per-message team step",
        syntax = "per-message:target", producerOnly = true, category = {Category.CORE})
public class PerMessageEndpoint extends DefaultEndpoint {

    @UriPath(description = "The endpoint of the team's route, a direct: endpoint (direct:before-validation)")
    @Metadata(required = true)
    private final String target;
    @UriParam(description = "The step's name in dead letters and logs; default: the id of the team's route"
            + " (route/inner-route when a route it calls failed)")
    private String step;

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
        return new PerMessageProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("per-message is a producer: use it in a to: step");
    }

    @Override
    public boolean isRemote() {
        return false;
    }

    public String getTarget() {
        return target;
    }

    public String getStep() {
        return step;
    }

    public void setStep(String step) {
        this.step = step;
    }
}
