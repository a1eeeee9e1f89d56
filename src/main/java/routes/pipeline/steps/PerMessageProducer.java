package routes.pipeline.steps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProducer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Route;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.EventHelper;
import org.apache.camel.support.service.ServiceHelper;
import routes.pipeline.MessageBatch;
import routes.pipeline.StepFailedException;

/**
 * Sends the selected messages of a batch, each its own exchange (the message exchange itself, so what the
 * route sets, body, headers and properties, stays on the message), to the route; the batch goes on when all
 * are done: in turn on the calling thread, or with {@code handOff} all at once from a Camel-managed thread.
 */
final class PerMessageProducer extends DefaultAsyncProducer {

    private final PerMessageEndpoint endpoint;
    private final MessageSelection selection;
    private final boolean keepFailure;
    private Endpoint direct;
    private StepRoute route;
    private AsyncProducer target;

    PerMessageProducer(PerMessageEndpoint endpoint, MessageSelection selection, boolean keepFailure) {
        super(endpoint);
        this.endpoint = endpoint;
        this.selection = selection;
        this.keepFailure = keepFailure;
    }

    @Override
    protected void doStart() throws Exception {
        direct = getEndpoint().getCamelContext().getEndpoint(endpoint.getTarget());
        route = new StepRoute(getEndpoint().getCamelContext(), direct.getEndpointBaseUri());
        // direct:'s own producer: it finds the consumer again after a reload, and waits for one that is starting.
        target = direct.createAsyncProducer();
        ServiceHelper.startService(target);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(target);
    }

    @Override
    public boolean process(Exchange batch, AsyncCallback callback) {
        Route step = route.current();
        if (step == null && selection == MessageSelection.PENDING) {
            callback.done(true); // a hook no route fills: no cost
            return true;
        }
        List<Exchange> chosen = null;
        for (Exchange message : MessageBatch.messages(batch)) {
            if (selection.selects(message)) {
                if (chosen == null) {
                    chosen = new ArrayList<>();
                }
                chosen.add(message);
            }
        }
        if (chosen == null) {
            callback.done(true); // nothing to do, no cost
            return true;
        }
        List<Exchange> messages = chosen;
        messages.forEach(selection::prepare);
        String routeId = step == null ? endpoint.getTarget() : step.getRouteId();
        if (endpoint.isTogether()) {
            sendTogether(messages, routeId);
            callback.done(true);
            return true;
        }
        if (!endpoint.isHandOff()) {
            sendAll(messages, routeId, false, callback);
            return true;
        }
        try {
            endpoint.executor().execute(() -> sendAll(messages, routeId, true, callback));
        } catch (RuntimeException e) {
            // Stopping: nothing takes more work. Fail the messages, so their sources redeliver them.
            messages.forEach(m -> m.setException(e));
            callback.done(true);
            return true;
        }
        return false;
    }

    /**
     * Without {@code atOnce} each message runs in turn on this thread, the next when the one before is done;
     * with it they are all sent without waiting, so that one that waits (a delayed redelivery, a group commit)
     * does not hold up the others.
     */
    private void sendAll(List<Exchange> messages, String routeId, boolean atOnce, AsyncCallback callback) {
        AtomicInteger left = new AtomicInteger(messages.size());
        for (Exchange message : messages) {
            // A message of a batch has no unit of work of its own: the route would make one and, when done,
            // run the message's on-completions (a RabbitMQ ack) before its batch is done. Held back here.
            List<Synchronization> held = message.getUnitOfWork() == null
                    ? message.getExchangeExtension().handoverCompletions() : null;
            AsyncCallback done = doneSync -> {
                if (held != null) {
                    held.forEach(message.getExchangeExtension()::addOnCompletion);
                }
                finish(message, routeId);
                if (left.decrementAndGet() == 0) {
                    callback.done(!atOnce);
                }
            };
            try {
                EventHelper.notifyExchangeSending(message.getContext(), message, direct);
                if (atOnce) {
                    target.process(message, done);
                } else {
                    target.process(message);
                    done.done(true);
                }
            } catch (Exception e) {
                message.setException(e);
                done.done(true);
            }
        }
    }

    /**
     * One exchange for all the messages, its body their list: the route handles them at once. Their own
     * exchanges are not routed, so their on-completions stay with their batch. A failure of the route is each
     * message's; a failure the route set on one message is that message's alone.
     */
    private void sendTogether(List<Exchange> messages, String routeId) {
        Exchange together = direct.createExchange();
        together.getMessage().setBody(messages);
        try {
            EventHelper.notifyExchangeSending(together.getContext(), together, direct);
            target.process(together);
        } catch (Exception e) {
            together.setException(e);
        }
        for (Exchange message : messages) {
            if (together.getException() != null) {
                message.setException(together.getException());
            }
            finish(message, routeId);
        }
    }

    private void finish(Exchange message, String routeId) {
        Exception failure = message.getException();
        if (failure == null) {
            selection.done(message);
        } else if (!keepFailure) {
            message.setException(new StepFailedException(stepName(routeId, message), failure));
            // The route's error handler gave up on it; the pipeline's own decides what happens next.
            message.getExchangeExtension().setRedeliveryExhausted(false);
            message.setRouteStop(false);
        }
    }

    private String stepName(String routeId, Exchange message) {
        if (endpoint.getStep() != null) {
            return endpoint.getStep();
        }
        // Camel tells the route that failed (the step's route may call others), not the node: that needs
        // message history, which is off (it costs every message).
        String failedRoute = message.getProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, String.class);
        return failedRoute == null || failedRoute.equals(routeId) ? routeId : routeId + "/" + failedRoute;
    }
}
