package routes.source.rabbitmq;

import java.util.HashMap;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.component.springrabbit.SpringRabbitMQComponent;
import org.apache.camel.component.springrabbit.SpringRabbitMQEndpoint;
import org.apache.camel.util.PropertiesHelper;

/**
 * Camel component {@code spring-rabbitmq-batch:}: camel-spring-rabbitmq's endpoint, every option of
 * {@code spring-rabbitmq:} included, whose consumer can hand the messages the listener container
 * receives together to the route as one exchange (the shape of camel-kafka's {@code batching=true}).
 * camel-spring-rabbitmq 4.17.0 routes every message on its own; see {@link BatchingRabbitMqEndpoint}.
 */
public class BatchingRabbitMqComponent extends SpringRabbitMQComponent {

    public static final String SCHEME = "spring-rabbitmq-batch";

    public BatchingRabbitMqComponent() {
        // camel-spring-rabbitmq defaults to the DMLC, which cannot gather batches; the SMLC can.
        setMessageListenerContainerType("SMLC");
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        // The component-level defaults, as SpringRabbitMQComponent hands them to its own endpoints.
        BatchingRabbitMqEndpoint endpoint = new BatchingRabbitMqEndpoint(uri, this, remaining);
        endpoint.setConnectionFactory(getConnectionFactory());
        endpoint.setTestConnectionOnStartup(isTestConnectionOnStartup());
        endpoint.setMessageConverter(getMessageConverter());
        getMessagePropertiesConverter().setHeaderFilterStrategy(getHeaderFilterStrategy());
        endpoint.setMessagePropertiesConverter(getMessagePropertiesConverter());
        endpoint.setAutoStartup(isAutoStartup());
        endpoint.setAutoDeclare(isAutoDeclare());
        endpoint.setAutoDeclareProducer(isAutoDeclareProducer());
        endpoint.setDeadLetterExchange(getDeadLetterExchange());
        endpoint.setDeadLetterExchangeType(getDeadLetterExchangeType());
        endpoint.setDeadLetterQueue(getDeadLetterQueue());
        endpoint.setDeadLetterRoutingKey(getDeadLetterRoutingKey());
        endpoint.setReplyTimeout(getReplyTimeout());
        endpoint.setPrefetchCount(getPrefetchCount());
        endpoint.setMessageListenerContainerType(getMessageListenerContainerType());
        endpoint.setConcurrentConsumers(getConcurrentConsumers());
        endpoint.setMaxConcurrentConsumers(getMaxConcurrentConsumers());
        endpoint.setRetry(getRetry());
        endpoint.setMaximumRetryAttempts(getMaximumRetryAttempts());
        endpoint.setRetryDelay(getRetryDelay());
        endpoint.setRejectAndDontRequeue(isRejectAndDontRequeue());
        endpoint.setAllowNullBody(isAllowNullBody());
        Map<String, Object> args = getArgs() == null ? new HashMap<>() : new HashMap<>(getArgs());
        args.putAll(PropertiesHelper.extractProperties(parameters, SpringRabbitMQEndpoint.ARG_PREFIX));
        endpoint.setArgs(args);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
