package routes.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/health}: the seeds' health answer, kept for the tools that read it. */
@RestController
public class HealthController {

    private final JdbcTemplate jdbc;
    private final List<MonitoredQueue> sources;

    public HealthController(JdbcTemplate jdbc, List<MonitoredQueue> sources) {
        this.jdbc = jdbc;
        this.sources = sources;
    }

    @GetMapping("/v1/health")
    public ResponseEntity<Map<String, Object>> health() {
        long depth = 0;
        for (MonitoredQueue source : sources) {
            depth += Math.max(0, source.queueDepth());
        }
        boolean db;
        try {
            db = Integer.valueOf(1).equals(jdbc.queryForObject("SELECT 1", Integer.class));
        } catch (RuntimeException e) {
            db = false;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", "ok");
        body.put("queue_depth", depth);
        body.put("db", db ? "connected" : "disconnected");
        return ResponseEntity.status(db ? 200 : 503).body(body);
    }
}
