package routes.pipeline.steps;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.stereotype.Component;

/**
 * The {@code per-message:} Camel component: {@code to: per-message:direct:<route>} runs a route on some of
 * the messages of a batch exchange, each message exchange on its own. Its options choose which messages
 * (the pending ones through a team's step, the failed ones to the dead letters, the uncommitted ones to a
 * commit of their own) and what a failure there means (see {@link PerMessageEndpoint}). Without it a
 * {@code to: direct:<route>} on a batch exchange would see the whole batch as one body.
 */
@Component(PerMessageComponent.NAME)
public class PerMessageComponent extends DefaultComponent {

    public static final String NAME = "per-message";

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        PerMessageEndpoint endpoint = new PerMessageEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
