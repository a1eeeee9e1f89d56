package routes.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The benchmark's keep-alive client reads each answer whole, sized or chunked, and so reuses its connection. */
class KeepAlivePosterTest {

    HttpServer server;
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<Integer> remotePorts = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/events", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            remotePorts.add(exchange.getRemoteAddress().getPort());
            byte[] answer = "{\"accepted\":1}".getBytes(StandardCharsets.UTF_8);
            boolean chunked = bodies.size() % 2 == 0;
            exchange.sendResponseHeaders(bodies.size() == 3 ? 400 : 202, chunked ? 0 : answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void postsOverOneConnectionAndReadsSizedAndChunkedAnswers() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/events");
        try (KeepAlivePoster poster = new KeepAlivePoster(uri)) {
            assertThat(poster.post(KeepAlivePoster.request(uri, "[\"é1\"]"))).isEqualTo(202);
            assertThat(poster.post(KeepAlivePoster.request(uri, "[2]"))).isEqualTo(202);
            assertThat(poster.post(KeepAlivePoster.request(uri, "[3]"))).isEqualTo(400);
            assertThat(poster.post(KeepAlivePoster.request(uri, "[4]"))).isEqualTo(202);
        }
        assertThat(bodies).containsExactly("[\"é1\"]", "[2]", "[3]", "[4]");
        assertThat(remotePorts).as("one connection").containsOnly(remotePorts.get(0));
    }
}
