package routes.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.support.AppProcess;
import routes.support.TestDatabase;

/**
 * Two delivery workers (the packaged jar, each its own JVM, started with the delivery worker's
 * environment variables and the {@code delivery} profile) on one queue; one is killed with
 * {@code kill -9} while it delivers, then started again with its {@code WORKER_ID}. No message is lost,
 * and the only duplicates are deliveries the killed worker had under way: at most its pool size
 * ({@code WORKER_CONCURRENCY}). Seen only through the main server and the Redis keys.
 */
class DeliveryWorkersKillIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String QUEUE = "it_delivery_kill:q";
    private static final int MESSAGES = 400;
    private static final int POOL = 4;

    @TempDir
    Path dir;
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private MainServerStub server;
    private JedisConnectionFactory redisFactory;

    @AfterEach
    void stopAll() {
        synchronized (processes) {
            processes.forEach(Process::destroyForcibly);
        }
        if (server != null) {
            server.close();
        }
        if (redisFactory != null) {
            redisFactory.destroy();
        }
    }

    @Test
    void killingOneOfTwoWorkersLosesNothingAndDuplicatesAtMostItsInFlightDeliveries() throws Exception {
        String dbUrl = TestDatabase.recreate("it_delivery_kill");
        redisFactory = new JedisConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 6379));
        redisFactory.afterPropertiesSet();
        redisFactory.start();
        StringRedisTemplate redis = new StringRedisTemplate(redisFactory);
        Set<String> old = redis.keys(QUEUE + "*");
        if (old != null && !old.isEmpty()) {
            redis.delete(old);
        }
        TestPki.Issued ca = TestPki.ca("kill-it-ca");
        Path caFile = TestPki.writeCa(ca, dir, "ca");
        TestPki.Paths client = TestPki.client(ca, "kill-it-worker").writePem(dir, "worker");
        server = new MainServerStub(TestPki.serverContext(TestPki.server(ca, "localhost"), ca));
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        server.answer = (n, body) -> {
            AtomicInteger mine = inFlight.computeIfAbsent(MAPPER.readTree(body).get("worker_id").asText(),
                    w -> new AtomicInteger());
            mine.incrementAndGet();
            try {
                Thread.sleep(100); // the main server's work: deliveries are under way when the kill comes
                return MainServerStub.Reply.OK;
            } finally {
                mine.decrementAndGet();
            }
        };
        Function<String, Worker> worker = id -> new Worker(id, dbUrl, server.baseUrl(), client, caFile, dir);

        CompletableFuture<Worker> startingA = CompletableFuture.supplyAsync(() -> worker.apply("worker-a").start(processes));
        Worker b = worker.apply("worker-b").start(processes);
        Worker a = startingA.join();
        redis.opsForList().leftPushAll(QUEUE, IntStream.range(0, MESSAGES)
                .mapToObj(i -> "{\"message_id\":\"k-" + i + "\",\"payload\":{\"i\":" + i + "}}").toList());

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> server.delivered().size() >= MESSAGES / 4 && inFlight.get("worker-a") != null
                        && inFlight.get("worker-a").get() > 0 && inFlight.get("worker-b") != null);
        a.process.destroyForcibly().waitFor(); // SIGKILL
        int deliveredByAAtKill = byWorker("worker-a");
        assertThat(deliveredByAAtKill).as("worker-a delivered before it was killed").isPositive();

        // B carries on alone; A's in-flight messages come back when a worker with its id starts again.
        worker.apply("worker-a").start(processes);
        await().atMost(Duration.ofSeconds(120)).until(() -> distinctDelivered() == MESSAGES
                && redis.opsForList().size(QUEUE) == 0 && redis.opsForZSet().zCard(QUEUE + ":delayed") == 0
                && processingEmpty(redis));

        Map<String, List<String>> byMessage = deliveriesByMessage();
        int duplicates = byMessage.values().stream().mapToInt(w -> w.size() - 1).sum();
        assertThat(byMessage).hasSize(MESSAGES);
        assertThat(duplicates).as("duplicates: at most the killed worker's pool").isLessThanOrEqualTo(POOL);
        byMessage.forEach((id, workers) -> {
            if (workers.size() > 1) {
                assertThat(workers.get(0)).as("first delivery of duplicated " + id).isEqualTo("worker-a");
            }
        });
        assertThat(byWorker("worker-b")).as("both workers took from the one queue").isPositive();
        assertThat(redis.opsForList().size(QUEUE + ":dlq")).isZero();

        // The worker's own variables took effect: metrics on WORKER_METRICS_PORT, the log at LOG_FILE_PATH.
        assertThat(b.scrape()).contains("worker_active_workers{application=\"ingest-routes\"} " + POOL + ".0")
                .contains("ingest_workers{application=\"ingest-routes\",queue=\"" + QUEUE + "\",source=\"delivery\"} " + POOL + ".0");
        assertThat(Files.readString(b.log)).contains("Started IngestApplication");
        System.out.printf("DeliveryWorkersKillIT: %d messages, worker-a delivered %d before kill -9, duplicates %d (pool %d)%n",
                MESSAGES, deliveredByAAtKill, duplicates, POOL);

    }

    private int byWorker(String workerId) throws IOException {
        int n = 0;
        for (MainServerStub.Request r : server.delivered()) {
            if (MAPPER.readTree(r.body()).get("worker_id").asText().equals(workerId)) {
                n++;
            }
        }
        return n;
    }

    private long distinctDelivered() {
        return deliveriesByMessage().size();
    }

    /** message id → the workers that delivered it, in the order the main server answered them. */
    private Map<String, List<String>> deliveriesByMessage() {
        return server.delivered().stream().map(r -> {
            try {
                return MAPPER.readTree(r.body());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).collect(Collectors.groupingBy(j -> j.get("message_id").asText(), ConcurrentHashMap::new,
                Collectors.mapping(j -> j.get("worker_id").asText(), Collectors.toList())));
    }

    /** Whatever the processing lists are called, none holds anything. */
    private static boolean processingEmpty(StringRedisTemplate redis) {
        Set<String> lists = redis.keys(QUEUE + ":processing*");
        return lists == null || lists.stream().allMatch(k -> {
            Long size = "list".equals(redis.type(k).code()) ? redis.opsForList().size(k) : redis.opsForZSet().zCard(k);
            return size == null || size == 0;
        });
    }

    /** One worker process: the jar with the delivery worker's environment variables. */
    private static final class Worker {
        final String id;
        final int metricsPort = AppProcess.freePort();
        final Path log;
        final ProcessBuilder builder;
        Process process;

        Worker(String id, String dbUrl, String mainServer, TestPki.Paths client, Path ca, Path dir) {
            this.id = id;
            this.log = dir.resolve(id + "-" + metricsPort + ".log");
            builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-jar", AppProcess.jar().toString(),
                    "--server.port=" + AppProcess.freePort(),
                    "--spring.datasource.url=" + dbUrl, "--ingest.embedded-db.enabled=false",
                    "--ingest.delivery.queue=" + QUEUE, "--ingest.delivery.delayed-set=" + QUEUE + ":delayed",
                    "--ingest.delivery.dlq=" + QUEUE + ":dlq", "--ingest.delivery.shutdown-timeout=2s"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve(id + "-" + metricsPort + ".out").toFile());
            Map<String, String> env = builder.environment();
            env.put("SPRING_PROFILES_ACTIVE", "delivery");
            env.put("MAIN_SERVER_URL", mainServer);
            env.put("WORKER_ID", id);
            env.put("WORKER_CONCURRENCY", Integer.toString(POOL));
            env.put("WORKER_CERT_PATH", client.certificate().toString());
            env.put("WORKER_KEY_PATH", client.privateKey().toString());
            env.put("CA_CERT_PATH", ca.toString());
            env.put("WORKER_RETRY_INTERVAL", "1s");
            env.put("WORKER_METRICS_PORT", Integer.toString(metricsPort));
            env.put("LOG_FILE_PATH", log.toString());
        }

        Worker start(List<Process> processes) {
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            processes.add(process);
            await(id + " healthy on its metrics port").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException(id + " exited: " + builder.redirectOutput().file());
                        }
                        return healthy();
                    });
            return this;
        }

        boolean healthy() {
            try {
                return get("/actuator/health").statusCode() == 200;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        }

        String scrape() throws IOException, InterruptedException {
            return get("/actuator/prometheus").body();
        }

        private HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
