package routes.chaos;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StreamState;
import io.nats.client.impl.Headers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import routes.source.nats.JetStreamTopology;

/**
 * The run's own nats-server: the stream created as the app creates it (workqueue retention), messages
 * published with JetStream acks, the dead-letter stream read by sequence (nothing consumed).
 */
final class NatsChaosBroker implements ChaosBroker {

    private static final int ACK_EVERY = 2000;
    private final ChaosConfig config;
    private final Connection connection;

    NatsChaosBroker(ChaosConfig config) throws Exception {
        this.config = config;
        this.connection = Nats.connect(Options.builder().server("nats://" + config.host() + ":" + config.port())
                .connectionName("chaos-client").build());
    }

    @Override
    public void publish(List<byte[]> messages) throws Exception {
        JetStreamManagement jsm = connection.jetStreamManagement();
        for (String stream : List.of(config.queue(), config.deadLetterQueue())) {
            try {
                jsm.deleteStream(stream);
            } catch (JetStreamApiException absent) {
                // a first run: nothing to delete
            }
        }
        JetStreamTopology.ensureStream(connection, config.queue(), config.subject(), RetentionPolicy.WorkQueue,
                Duration.ofMinutes(2));
        JetStream js = connection.jetStream();
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
        for (byte[] body : messages) {
            acks.add(js.publishAsync(config.subject(), body));
            if (acks.size() == ACK_EVERY) {
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
                acks.clear();
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
    }

    @Override
    public long leftInSource() throws Exception {
        return connection.jetStreamManagement().getStreamInfo(config.queue()).getStreamState().getMsgCount();
    }

    @Override
    public List<DeadLetterCopy> deadLetterCopies() throws Exception {
        JetStreamManagement jsm = connection.jetStreamManagement();
        StreamState state;
        try {
            state = jsm.getStreamInfo(config.deadLetterQueue()).getStreamState();
        } catch (JetStreamApiException absent) {
            return List.of();
        }
        List<DeadLetterCopy> copies = new ArrayList<>();
        for (long seq = state.getFirstSequence(); state.getMsgCount() > 0 && seq <= state.getLastSequence(); seq++) {
            MessageInfo message;
            try {
                message = jsm.getMessage(config.deadLetterQueue(), seq);
            } catch (JetStreamApiException deleted) {
                continue;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            Headers h = message.getHeaders();
            if (h != null) {
                h.keySet().forEach(k -> headers.put(k, h.getFirst(k)));
            }
            copies.add(new DeadLetterCopy(message.getData() == null ? new byte[0] : message.getData(), headers));
        }
        return copies;
    }

    @Override
    public void close() throws InterruptedException {
        connection.close();
    }
}
