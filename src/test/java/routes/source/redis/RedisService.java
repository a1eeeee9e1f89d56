package routes.source.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import redis.clients.jedis.Jedis;

/**
 * The local Redis of the ITs; restarts it exactly as the machine's brief says (no persistence, so a
 * restart empties it), waiting until it answers again.
 */
final class RedisService {

    static final String HOST = "127.0.0.1";
    static final int PORT = 6379;

    private RedisService() {
    }

    static void restart() throws Exception {
        try (Jedis jedis = new Jedis(HOST, PORT)) {
            jedis.shutdown();
        } catch (RuntimeException e) {
            // SHUTDOWN closes the connection instead of answering
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !answers());
        Process start = new ProcessBuilder("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1",
                "--port", Integer.toString(PORT), "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
                "--logfile", "/var/log/redis/ci.log").inheritIO().start();
        start.waitFor(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(RedisService::answers);
    }

    static boolean answers() {
        try (Jedis jedis = new Jedis(HOST, PORT)) {
            return "PONG".equals(jedis.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }
}
