package routes.source.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.impl.ErrorListenerLoggerImpl;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ssl.SslBundles;
import routes.source.nats.JetStreamTopology.DurableSpec;
import routes.source.nats.JetStreamTopology.StreamSpec;

/**
 * The one NATS connection of the app, made whether or not NATS is up: the client connects in the
 * background and reconnects for ever ({@code reconnectOnConnect}), so the service starts with NATS down
 * and the source begins when NATS comes up. Who needs the connection asks for it and waits (bounded) on
 * the client's connection events, never polling the server.
 *
 * <p>On every (re)connection the configured streams and durable are created if absent and checked if present, and
 * before a consumer subscribes its stream and durable are too (once per connection). Differences of an
 * existing stream or consumer from the configuration are logged once (WARN) and kept for the health
 * component; nothing existing is changed. When NATS answers at start-up, an incompatible stream fails
 * start-up as before; found later, it is an ERROR and the health component is DOWN with it.
 */
public class NatsConnector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NatsConnector.class);
    private static final Duration TOPOLOGY_RETRY_FIRST = Duration.ofSeconds(1);
    private static final Duration TOPOLOGY_RETRY_MAX = Duration.ofSeconds(30);

    private final Options options;
    private final String servers;
    private final String auth;
    private final List<StreamSpec> streams;
    private final List<DurableSpec> durables;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition connectedChanged = lock.newCondition();
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    /** The stream or consumer (e.g. "stream INGRESS") → how it differs from the configuration. */
    private final Map<String, List<String>> differences = new ConcurrentHashMap<>();
    /** The stream or consumer → why it cannot be used. */
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    /** Durables checked, with the connection count they were checked on. */
    private final Map<String, Long> checkedDurables = new ConcurrentHashMap<>();
    /** Runs the stream checks after (re)connections; made by start(). */
    private volatile ScheduledExecutorService topology;
    private volatile Connection connection;
    private volatile JetStream jetStream;
    private volatile String lastError;
    private volatile boolean everConnected;
    private volatile boolean closing;
    private long connects;

    public NatsConnector(Options.Builder options, String servers, String auth, List<StreamSpec> streams,
                         List<DurableSpec> durables) {
        this.options = options.connectionListener(this::event).errorListener(new Errors()).build();
        this.servers = servers;
        this.auth = auth;
        this.streams = List.copyOf(streams);
        this.durables = List.copyOf(durables);
    }

    /** The app's connector as configured: its options, and the stream and dead-letter stream with their limits. */
    public static NatsConnector of(NatsSourceProperties properties, SslBundles bundles) {
        return new NatsConnector(NatsOptions.builder(properties, bundles), properties.url(),
                NatsOptions.authKind(properties.auth()), List.of(
                        new StreamSpec(properties.stream(), properties.subject(), RetentionPolicy.WorkQueue,
                                properties.duplicateWindow(), properties.streamLimits()),
                        new StreamSpec(properties.dlqStream(), properties.dlqSubject(), RetentionPolicy.Limits,
                                properties.duplicateWindow(), properties.dlqStreamLimits())),
                List.of(new DurableSpec(properties.stream(), properties.subject(), properties.durable(),
                        properties.ackWait(), properties.maxAckPending())));
    }

    /** A connector on a connection made elsewhere (tools, benchmarks); it checks no streams by itself. */
    public static NatsConnector of(Connection connection) {
        NatsConnector connector = new NatsConnector(Options.builder(), String.valueOf(connection.getConnectedUrl()),
                "caller's", List.of(), List.of());
        connector.connection = connection;
        connector.everConnected = true;
        connector.firstAttempt.countDown();
        return connector;
    }

    /**
     * Starts connecting and waits for the first attempt's outcome (at most {@code wait}). Connected: the
     * streams are checked now, and an incompatible one fails start-up. Not reachable: the app starts without
     * NATS, the client goes on trying.
     */
    public void start(Duration wait) throws InterruptedException {
        topology = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nats-topology");
            t.setDaemon(true);
            return t;
        });
        Nats.connectAsynchronously(options, true);
        try {
            firstAttempt.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            Connection c = connected();
            if (c == null) {
                LOG.warn("NATS not reachable at {} at start-up ({}): starting without it; the nats source connects"
                        + " and consumes when NATS comes up, its health is DOWN until then", servers, lastError);
                return;
            }
            checkStreams(c);
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        } catch (Exception e) {
            // NATS answered but JetStream did not (yet): the check is retried in the background.
            LOG.warn("JetStream at {} not ready at start-up ({}); checking the streams again in the background",
                    servers, e.toString());
            scheduleStreamCheck(connection, TOPOLOGY_RETRY_FIRST);
        }
    }

    /** The connection when it is connected now, else null. */
    public Connection connected() {
        Connection c = connection;
        return c != null && c.getStatus() == Connection.Status.CONNECTED ? c : null;
    }

    /** The JetStream context when connected now, else null (publishers refuse at once instead of waiting). */
    public JetStream jetStreamNow() throws IOException {
        Connection c = connected();
        return c == null ? null : jetStream(c);
    }

    /**
     * For a consumer: waits at most {@code wait} for the connection, checks (once per connection) that the
     * consumer's stream and durable exist, creating them if absent, and returns the JetStream context; null
     * when not connected within {@code wait}. Throws when the stream or durable cannot be used.
     */
    public JetStream jetStream(DurableSpec spec, Duration wait) throws Exception {
        Connection c = awaitConnected(wait);
        if (c == null) {
            return null;
        }
        long epoch = epoch();
        String key = spec.stream() + "/" + spec.durable();
        if (!Objects.equals(checkedDurables.get(key), epoch)) {
            synchronized (this) {
                check(c, "stream " + spec.stream(), () -> JetStreamTopology.ensureStream(c, streamOf(spec)));
                check(c, "consumer " + spec.durable() + " on " + spec.stream(), () -> JetStreamTopology.ensureDurable(c, spec));
            }
            checkedDurables.put(key, epoch);
        }
        return jetStream(c);
    }

    private Connection awaitConnected(Duration wait) throws InterruptedException {
        long nanos = wait.toNanos();
        lock.lock();
        try {
            Connection c;
            while ((c = connected()) == null) {
                if (nanos <= 0 || closing) {
                    return null;
                }
                nanos = connectedChanged.awaitNanos(nanos);
            }
            return c;
        } finally {
            lock.unlock();
        }
    }

    private long epoch() {
        lock.lock();
        try {
            return connects;
        } finally {
            lock.unlock();
        }
    }

    private JetStream jetStream(Connection c) throws IOException {
        JetStream js = jetStream;
        if (js == null) {
            js = c.jetStream();
            jetStream = js;
        }
        return js;
    }

    /** The configured stream of that name, else a workqueue stream with the configured stream's limits. */
    private StreamSpec streamOf(DurableSpec spec) {
        for (StreamSpec s : streams) {
            if (s.name().equals(spec.stream()) && s.subject().equals(spec.subject())) {
                return s;
            }
        }
        StreamSpec template = streams.isEmpty()
                ? new StreamSpec("", "", RetentionPolicy.WorkQueue, Duration.ofMinutes(2), JetStreamTopology.DEFAULT_LIMITS)
                : streams.get(0);
        return new StreamSpec(spec.stream(), spec.subject(), RetentionPolicy.WorkQueue, template.duplicateWindow(),
                template.limits());
    }

    /** The configured streams, then the configured durable: an unusable one fails start-up when NATS answers then. */
    private synchronized void checkStreams(Connection c) throws Exception {
        for (StreamSpec stream : streams) {
            check(c, "stream " + stream.name(), () -> JetStreamTopology.ensureStream(c, stream));
        }
        for (DurableSpec durable : durables) {
            check(c, "consumer " + durable.durable() + " on " + durable.stream(), () -> JetStreamTopology.ensureDurable(c, durable));
        }
    }

    private interface Check {
        List<String> run() throws Exception;
    }

    /** Runs one check; reports its differences once (WARN) and keeps them, or its problem (ERROR). */
    private void check(Connection c, String what, Check check) throws Exception {
        List<String> found;
        try {
            found = check.run();
        } catch (IllegalStateException incompatible) {
            if (!incompatible.getMessage().equals(problems.put(what, incompatible.getMessage()))) {
                LOG.error("{}", incompatible.getMessage());
            }
            throw incompatible;
        }
        problems.remove(what);
        if (found.isEmpty()) {
            differences.remove(what);
            return;
        }
        if (!found.equals(differences.put(what, found))) {
            LOG.warn("JetStream {} differs from the configuration and is left as it is (change it with the nats CLI,"
                    + " or delete it to have it created as configured): {}", what, String.join("; ", found));
        }
    }

    private void scheduleStreamCheck(Connection c, Duration delay) {
        ScheduledExecutorService executor = topology;
        if (closing || c == null || executor == null) {
            return;
        }
        executor.schedule(() -> {
            if (closing || c.getStatus() != Connection.Status.CONNECTED) {
                return; // the next (re)connection checks again
            }
            try {
                checkStreams(c);
            } catch (Exception e) {
                Duration next = delay.multipliedBy(2).compareTo(TOPOLOGY_RETRY_MAX) > 0 ? TOPOLOGY_RETRY_MAX : delay.multipliedBy(2);
                if (!(e instanceof IllegalStateException)) {
                    LOG.warn("JetStream streams at {} not checked ({}); again in {}", servers, e.toString(), next);
                }
                scheduleStreamCheck(c, next);
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void event(Connection conn, ConnectionListener.Events type) {
        if (closing) {
            if (type != ConnectionListener.Events.CLOSED) {
                closeQuietly(conn);
            }
            return;
        }
        switch (type) {
            case CONNECTED, RECONNECTED -> {
                lock.lock();
                try {
                    connection = conn;
                    connects++;
                    lastError = null;
                    everConnected = true;
                    connectedChanged.signalAll();
                } finally {
                    lock.unlock();
                }
                firstAttempt.countDown();
                LOG.info("NATS {} to {}", type == ConnectionListener.Events.CONNECTED ? "connected" : "reconnected",
                        conn.getConnectedUrl());
                scheduleStreamCheck(conn, Duration.ZERO);
            }
            case DISCONNECTED -> {
                seen(conn);
                firstAttempt.countDown();
                if (everConnected) {
                    LOG.warn("NATS disconnected from {}; reconnecting", servers);
                }
            }
            case CLOSED -> {
                seen(conn);
                firstAttempt.countDown();
                LOG.error("NATS connection to {} closed ({}): the nats source stays down until the app is restarted",
                        servers, lastError);
            }
            default -> LOG.debug("NATS {}", type);
        }
    }

    /** Keeps the connection object from its first event, so that health can read it and close can end it. */
    private void seen(Connection conn) {
        lock.lock();
        try {
            if (connection == null) {
                connection = conn;
            }
            connectedChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** What jnats reports: kept as the last error (health), logged once per distinct message, not per attempt. */
    private final class Errors extends ErrorListenerLoggerImpl {
        @Override
        public void errorOccurred(Connection conn, String error) {
            record(conn, "the server said: " + error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            record(conn, exp.getClass().getSimpleName() + ": " + exp.getMessage());
        }

        private void record(Connection conn, String error) {
            if (conn != null) {
                seen(conn);
                if (closing) {
                    closeQuietly(conn);
                }
            }
            if (!error.equals(lastError)) {
                LOG.warn("NATS {}: {}", servers, error);
            }
            lastError = error;
        }
    }

    /** For the health component: the connection state, the last error, and what differs or is refused. */
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        Connection c = connection;
        details.put("status", c == null ? "CONNECTING" : c.getStatus().toString());
        details.put("servers", servers);
        if (c != null && c.getConnectedUrl() != null) {
            details.put("server", c.getConnectedUrl());
        }
        details.put("auth", auth);
        details.put("tls", options.getSslContext() != null);
        if (connected() == null && lastError != null) {
            details.put("last_error", lastError);
        }
        if (!differences.isEmpty()) {
            details.put("differences", new TreeMap<>(differences));
        }
        if (!problems.isEmpty()) {
            details.put("problems", new TreeMap<>(problems));
        }
        return details;
    }

    /** Why the source cannot work now (not connected, an unusable stream or consumer); null when it can. */
    public String unavailableReason() {
        if (connected() == null) {
            Connection c = connection;
            String state = c == null ? "not connected yet" : c.getStatus().toString().toLowerCase(java.util.Locale.ROOT);
            return "NATS at " + servers + " " + state + (lastError == null ? "" : ": " + lastError);
        }
        if (!problems.isEmpty()) {
            return String.join("; ", problems.values());
        }
        return null;
    }

    public String servers() {
        return servers;
    }

    @Override
    public void close() {
        closing = true;
        ScheduledExecutorService executor = topology;
        if (executor != null) {
            executor.shutdownNow();
        }
        lock.lock();
        try {
            connectedChanged.signalAll();
        } finally {
            lock.unlock();
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
