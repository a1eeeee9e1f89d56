package routes.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.function.Supplier;

/** A broker the tests start as a process of their own (OwnRedisServer, OwnNatsServer, OwnRabbitMqNode): is it up yet? */
public final class ServerProcess {

    private ServerProcess() {
    }

    /**
     * Waits until something accepts connections on 127.0.0.1:{@code port}, for at most {@code timeout};
     * fails at once, with {@code whyExited}'s text, when the process exits first.
     */
    public static void awaitListening(Process process, int port, Duration timeout, Supplier<String> whyExited) {
        await("a server listening on port " + port).atMost(timeout).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(whyExited.get());
                    }
                    return answers(port);
                });
    }

    /** Whether something accepts a connection on 127.0.0.1:{@code port} within half a second. */
    public static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
