package routes.pipeline.steps;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code each-message:<endpoint>?messages=<selection>}: a pipeline step that sends some of a batch's
 * messages to an endpoint, each as its own exchange (the message exchange itself), so that a route
 * handles, retries or dead-letters them one by one. The batch goes on once all of them are done. See
 * {@link EachMessageEndpoint} for the selections.
 */
public class EachMessageComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        EachMessageEndpoint endpoint = new EachMessageEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
