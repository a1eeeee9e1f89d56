package routes.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.KeyValue;
import routes.chaos.ChaosConfig;

/**
 * The one-at-a-time worker ({@link OneAtATimeWorker}, committing each statement) in a JVM of its own, draining
 * the backlog {@code scripts/benchmark-deployed.sh} preloaded (BENCH_BASELINE=1) into the run's queue, stream or
 * list: one message taken, written, acked, the next. It stops when the source has given nothing for
 * {@code -Dbench.idle-ms} (default 2000); the script times it from the rows' {@code created_at}, as it times
 * the app. Configured like {@code routes.chaos.ChaosPublisher}: {@code -Dchaos.broker}, {@code -Dchaos.port},
 * {@code -Dchaos.queue}, {@code -Dchaos.subject}, {@code -Dchaos.db-url}.
 */
public final class OneAtATimeDeployed {

    private OneAtATimeDeployed() {
    }

    public static void main(String[] args) throws Exception {
        ChaosConfig config = ChaosConfig.fromSystemProperties();
        Duration idle = Duration.ofMillis(Long.getLong("bench.idle-ms", 2000));
        long start = System.nanoTime();
        int[] counts;
        try (java.sql.Connection db = DriverManager.getConnection(config.databaseUrl(), "postgres", "");
             OneAtATimeWorker worker = new OneAtATimeWorker(db, false)) {
            counts = switch (config.broker()) {
                case "rabbitmq" -> rabbitmq(config, worker, idle);
                case "nats" -> nats(config, worker, idle);
                case "redis" -> redis(config, worker, idle);
                default -> throw new IllegalArgumentException("broker: rabbitmq | nats | redis, not " + config.broker());
            };
        }
        System.out.printf(Locale.ROOT, "one-at-a-time worker: %d messages taken, %d written, %d dropped as not events, "
                + "%.1f s with the final %.1f s idle wait%n", counts[0] + counts[1], counts[0], counts[1],
                (System.nanoTime() - start) / 1e9, idle.toMillis() / 1e3);
    }

    /** basicGet one message at a time (prefetch 1 in effect), ack after its statements. Returns {written, dropped}. */
    private static int[] rabbitmq(ChaosConfig config, OneAtATimeWorker worker, Duration idle) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(config.host());
        factory.setPort(config.port());
        int[] counts = new int[2];
        try (com.rabbitmq.client.Connection connection = factory.newConnection("one-at-a-time");
             Channel channel = connection.createChannel()) {
            long idleSince = System.nanoTime();
            while (System.nanoTime() - idleSince < idle.toNanos()) {
                GetResponse response = channel.basicGet(config.queue(), false);
                if (response == null) {
                    Thread.sleep(10); // an empty queue: poll again until the idle time has passed
                    continue;
                }
                counts[worker.handle(response.getBody()) ? 0 : 1]++;
                channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
                idleSince = System.nanoTime();
            }
        }
        return counts;
    }

    /** A pull consumer fetching 1, ack after its statements. */
    private static int[] nats(ChaosConfig config, OneAtATimeWorker worker, Duration idle) throws Exception {
        int[] counts = new int[2];
        try (io.nats.client.Connection nats = Nats.connect("nats://" + config.host() + ":" + config.port())) {
            JetStreamSubscription sub = nats.jetStream().subscribe(config.subject(), PullSubscribeOptions.builder()
                    .stream(config.queue()).durable("bench_one_at_a_time")
                    .configuration(ConsumerConfiguration.builder().ackPolicy(AckPolicy.Explicit).build()).build());
            while (true) {
                List<Message> batch = sub.fetch(1, idle);
                if (batch.isEmpty()) {
                    break;
                }
                Message message = batch.get(0);
                counts[worker.handle(message.getData()) ? 0 : 1]++;
                message.ackSync(Duration.ofSeconds(5));
            }
        }
        return counts;
    }

    /** BRPOP one message (the publisher LPUSHes, the app takes from the tail too). */
    private static int[] redis(ChaosConfig config, OneAtATimeWorker worker, Duration idle) throws Exception {
        int[] counts = new int[2];
        byte[] key = config.queue().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (Jedis jedis = new Jedis(config.host(), config.port())) {
            while (true) {
                KeyValue<byte[], byte[]> popped = jedis.brpop(idle.toMillis() / 1000.0, key);
                if (popped == null) {
                    break;
                }
                counts[worker.handle(popped.getValue()) ? 0 : 1]++;
            }
        }
        return counts;
    }
}
