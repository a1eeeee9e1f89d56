package routes.pipeline.steps;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.stereotype.Component;

/**
 * The {@code per-message:} Camel component: {@code to: per-message:direct:<route>} runs a team's route on
 * every pending message of a batch exchange, one by one, on the calling thread (see {@link PerMessageEndpoint}).
 * Without it a {@code to: direct:<route>} on a batch exchange would see the whole batch as one body.
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
