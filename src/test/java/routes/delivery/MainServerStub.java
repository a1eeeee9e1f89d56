package routes.delivery;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The main server of the tests: HTTPS that requires a client certificate signed by the test CA.
 * {@code POST /internal/messages/deliver} answers {@link #answer} (a hook the test sets);
 * {@code PUT /internal/messages/{id}/status} is recorded.
 */
final class MainServerStub implements AutoCloseable {

    /** What the deliver endpoint answers; may block or sleep. */
    interface Answer {
        Reply answer(int requestNumber, String body) throws Exception;
    }

    record Reply(int status, String body) {
        static final Reply OK = new Reply(200, "{\"ok\":true}");
    }

    record Request(String method, String path, String body, int status) {
    }

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(16);
    final List<Request> deliveries = new CopyOnWriteArrayList<>();
    final List<Request> statusReports = new CopyOnWriteArrayList<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger counter = new AtomicInteger();
    volatile Answer answer = (n, body) -> Reply.OK;

    MainServerStub(SSLContext context) throws IOException {
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters ssl = context.getDefaultSSLParameters();
                ssl.setNeedClientAuth(true);
                params.setSSLParameters(ssl);
            }
        });
        server.createContext("/internal/messages/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String baseUrl() {
        return "https://localhost:" + server.getAddress().getPort();
    }

    /** Deliveries answered 2xx. */
    List<Request> delivered() {
        return deliveries.stream().filter(r -> r.status() / 100 == 2).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getPath();
        Reply reply;
        if ("POST".equals(exchange.getRequestMethod()) && path.equals("/internal/messages/deliver")) {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                reply = answer.answer(counter.incrementAndGet(), body);
            } catch (Exception e) {
                reply = new Reply(500, e.toString());
            } finally {
                inFlight.decrementAndGet();
            }
            deliveries.add(new Request("POST", path, body, reply.status()));
        } else if ("PUT".equals(exchange.getRequestMethod()) && path.endsWith("/status")) {
            reply = new Reply(204, "");
            statusReports.add(new Request("PUT", path, body, 204));
        } else {
            reply = new Reply(404, "not found");
        }
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
