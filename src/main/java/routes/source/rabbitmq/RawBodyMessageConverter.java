package routes.source.rabbitmq;

import java.nio.charset.StandardCharsets;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.support.converter.MessageConversionException;
import org.springframework.amqp.support.converter.MessageConverter;

/**
 * Message bodies as the exact bytes the broker delivered, whatever the content type. camel-spring-rabbitmq's
 * default converter decodes {@code text/*} bodies to a String, which turns bytes that are not UTF-8 into
 * replacement characters: the dead letter would no longer be the original (CONTRACT §2).
 */
public class RawBodyMessageConverter implements MessageConverter {

    @Override
    public Message toMessage(Object object, MessageProperties properties) {
        if (object instanceof byte[] bytes) {
            return new Message(bytes, properties);
        }
        if (object instanceof String text) {
            return new Message(text.getBytes(StandardCharsets.UTF_8), properties);
        }
        throw new MessageConversionException("only byte[] and String bodies are sent, not "
                + (object == null ? "null" : object.getClass().getName()));
    }

    @Override
    public Object fromMessage(Message message) {
        return message.getBody();
    }
}
