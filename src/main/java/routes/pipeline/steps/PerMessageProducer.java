package routes.pipeline.steps;

import java.util.List;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Producer;
import org.apache.camel.Route;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.service.ServiceHelper;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;
import routes.pipeline.StepFailedException;

/**
 * Runs the team's route on each pending message of the batch, in order, on this thread, with the message
 * exchange itself (so what the route sets, body, headers and properties, stays on the message). After
 * each call: a {@code stop} → the message is settled {@code FILTERED}; an exception → it becomes a
 * StepFailedException naming the step, on that message alone.
 */
final class PerMessageProducer extends DefaultProducer {

    private final PerMessageEndpoint endpoint;
    private StepRoute route;
    private Producer target;

    PerMessageProducer(PerMessageEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        Endpoint direct = getEndpoint().getCamelContext().getEndpoint(endpoint.getTarget());
        route = new StepRoute(getEndpoint().getCamelContext(), direct.getEndpointBaseUri());
        // direct:'s own producer: it finds the consumer again after a reload, and waits for one that is starting.
        target = direct.createProducer();
        ServiceHelper.startService(target);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(target);
    }

    @Override
    public void process(Exchange batch) {
        Route step = route.current();
        if (step == null) {
            return;
        }
        for (Exchange message : MessageBatch.messages(batch)) {
            if (MessageBatch.isPending(message)) {
                run(step, message);
            }
        }
    }

    private void run(Route step, Exchange message) {
        if (message.getProperty(IngestExchange.ORIGINAL_BODY) == null) {
            message.setProperty(IngestExchange.ORIGINAL_BODY, message.getMessage().getBody());
        }
        // A message of a batch has no unit of work of its own: the team's route would make one and, when done,
        // run the message's on-completions (a RabbitMQ ack) before the message is committed. Held back here.
        List<Synchronization> held = message.getUnitOfWork() == null
                ? message.getExchangeExtension().handoverCompletions() : null;
        try {
            target.process(message);
        } catch (Exception e) {
            message.setException(e);
        } finally {
            if (held != null) {
                held.forEach(message.getExchangeExtension()::addOnCompletion);
            }
        }
        Exception failure = message.getException();
        if (failure != null) {
            message.setException(new StepFailedException(stepName(step, message), failure));
            // The team route's error handler gave up on it; the pipeline's own decides what happens next.
            message.getExchangeExtension().setRedeliveryExhausted(false);
            message.setRouteStop(false);
        } else if (message.isRouteStop()) {
            message.setRouteStop(false);
            MessageBatch.settle(message, MessageOutcome.FILTERED);
        }
    }

    private String stepName(Route step, Exchange message) {
        if (endpoint.getStep() != null) {
            return endpoint.getStep();
        }
        // Camel tells the route that failed (the team's route may call others), not the node: that needs
        // message history, which is off (it costs every message).
        String failedRoute = message.getProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, String.class);
        return failedRoute == null || failedRoute.equals(step.getRouteId())
                ? step.getRouteId() : step.getRouteId() + "/" + failedRoute;
    }
}
