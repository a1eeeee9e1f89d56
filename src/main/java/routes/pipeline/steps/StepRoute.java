package routes.pipeline.steps;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.support.service.ServiceHelper;

/**
 * Which route consumes a step's endpoint right now, if any. Asked once per batch: the route found last is
 * kept while its consumer runs, and looked for again when it stopped (a reload of the team's file replaces
 * it with a new route) or when none was there (a route added at runtime is found by the next batch).
 */
final class StepRoute {

    private final CamelContext camel;
    private final String endpointBaseUri;
    private volatile Route last;

    StepRoute(CamelContext camel, String endpointBaseUri) {
        this.camel = camel;
        this.endpointBaseUri = endpointBaseUri;
    }

    /**
     * The route to call, or null when the step is to be skipped: no route consumes the endpoint, or an
     * operator stopped it. While the context is still starting, a route whose consumer has not started yet
     * counts (the caller waits for it, as a {@code direct:} producer does): a source may start first.
     */
    Route current() {
        Route route = last;
        if (route != null && ServiceHelper.isStarted(route.getConsumer())) {
            return route;
        }
        route = find();
        last = route;
        return route;
    }

    private Route find() {
        Route waiting = null;
        for (Route route : camel.getRoutes()) {
            if (!endpointBaseUri.equals(route.getEndpoint().getEndpointBaseUri())) {
                continue;
            }
            if (ServiceHelper.isStarted(route.getConsumer())) {
                return route;
            }
            if (!camel.isStarted()) {
                waiting = route;
            }
        }
        return waiting;
    }
}
