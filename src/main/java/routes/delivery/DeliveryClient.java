package routes.delivery;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** This worker → the main server over HTTPS with a client certificate: POST deliver, PUT status. */
public class DeliveryClient {

    private final HttpClient http;
    private final URI deliverUri;
    private final String baseUrl;
    private final String statusPath;
    private final Duration timeout;

    public DeliveryClient(SSLContext ssl, String baseUrl, String deliverPath, String statusPath, Duration timeout) {
        this.http = HttpClient.newBuilder()
                .sslContext(ssl)
                .sslParameters(DeliveryTls.parameters())
                .connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.baseUrl = trimSlash(baseUrl);
        this.deliverUri = URI.create(this.baseUrl + deliverPath);
        this.statusPath = statusPath;
        this.timeout = timeout;
    }

    /** A non-2xx answer from the main server. */
    public static final class RejectedException extends IOException {
        private final int status;

        RejectedException(int status, String body) {
            super("HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body)));
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** POSTs the body; returns normally only on a 2xx answer. */
    public void deliver(String jsonBody) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(deliverUri).POST(HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8)));
    }

    public boolean reportsStatus() {
        return statusPath != null && !statusPath.isBlank();
    }

    /** PUTs {@code {"status", "attempt_count", "error_message"}} to the status path of the message. */
    public void reportStatus(String messageId, String jsonBody) throws IOException, InterruptedException {
        String path = statusPath.replace("{id}", java.net.URLEncoder.encode(messageId, StandardCharsets.UTF_8));
        send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .PUT(HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8)));
    }

    private void send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.timeout(timeout)
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new RejectedException(response.statusCode(), response.body());
        }
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
