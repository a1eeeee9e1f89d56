package routes.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import routes.deadletter.DeadLetterStore;
import routes.ops.IngestMetrics;
import routes.source.IngestSource;
import routes.source.IngestSources;

/**
 * {@code /console}: the operator's page (static/console/index.html), and {@code /console/api/flow},
 * the counters and queue depths per source it polls (rates are computed in the page from two polls).
 */
@Controller
public class ConsoleController {

    private final MeterRegistry registry;
    private final IngestSources sources;
    private final DeadLetterStore deadLetters;

    public ConsoleController(MeterRegistry registry, IngestSources sources, DeadLetterStore deadLetters) {
        this.registry = registry;
        this.sources = sources;
        this.deadLetters = deadLetters;
    }

    @GetMapping({"/console", "/console/"})
    public String page() {
        return "forward:/console/index.html";
    }

    /** Totals per source since start-up, the broker queue depths, and dead letters per source and type. */
    @GetMapping("/console/api/flow")
    @ResponseBody
    public Map<String, Object> flow() {
        Map<String, Map<String, Object>> bySource = new TreeMap<>();
        for (IngestSource source : sources.all()) {
            Map<String, Object> entry = entry(bySource, source.name());
            entry.put("queue", source.queue());
            entry.put("queue_depth", source.queueDepth());
        }
        for (Counter counter : registry.find(IngestMetrics.EVENTS).counters()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> events = (Map<String, Object>) entry(bySource, counter.getId().getTag("source"))
                    .get("events");
            events.merge(counter.getId().getTag("status"), (long) counter.count(), (a, b) -> (long) a + (long) b);
        }
        for (Counter counter : registry.find(IngestMetrics.ROWS).counters()) {
            entry(bySource, counter.getId().getTag("source")).merge("rows", (long) counter.count(),
                    (a, b) -> (long) a + (long) b);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("at", System.currentTimeMillis());
        answer.put("sources", bySource);
        answer.put("dead_letters", deadLetters.summary());
        return answer;
    }

    private static Map<String, Object> entry(Map<String, Map<String, Object>> bySource, String source) {
        return bySource.computeIfAbsent(source == null ? "unknown" : source, name -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("source", name);
            entry.put("queue", null);
            entry.put("queue_depth", null);
            entry.put("events", new TreeMap<String, Object>());
            entry.put("rows", 0L);
            return entry;
        });
    }
}
