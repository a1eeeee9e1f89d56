package routes.deadletter;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/dead-letters}: look at dead letters (filters, paging), replay them (CONTRACT §5), delete
 * one, purge many with {@code confirm=yes}. Writes need the admin (routes.security).
 */
@RestController
@RequestMapping("/v1/dead-letters")
public class DeadLetterController {

    /** The answer header carrying the {@code before_id} of the next page when this one was full. */
    public static final String NEXT_BEFORE_ID = "X-Next-Before-Id";
    /** The answer header carrying how many dead letters match the filters in all pages. */
    public static final String TOTAL_COUNT = "X-Total-Count";
    static final String CONFIRM = "yes";
    private static final int MAX_LIMIT = 1000;

    private final DeadLetterStore store;
    private final DeadLetterReplayer replayer;

    public DeadLetterController(DeadLetterStore store, DeadLetterReplayer replayer) {
        this.store = store;
        this.replayer = replayer;
    }

    /** The newest dead letters matching the filters, as a JSON array (CONTRACT §5), newest first. */
    @GetMapping
    public ResponseEntity<List<DeadLetter>> newest(
            @RequestParam(required = false) String source,
            @RequestParam(name = "error_type", required = false) String errorType,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime to,
            @RequestParam(name = "before_id", required = false) Long beforeId,
            @RequestParam(required = false) Boolean replayed,
            @RequestParam(defaultValue = "50") int limit,
            @RequestParam(defaultValue = "0") int offset) {
        int pageSize = Math.max(1, Math.min(limit, MAX_LIMIT));
        DeadLetterQuery query = new DeadLetterQuery(source, errorType, from, to, beforeId, replayed);
        List<DeadLetter> page = store.search(query, pageSize, Math.max(0, offset));
        var answer = ResponseEntity.ok().header(TOTAL_COUNT, Long.toString(store.count(
                new DeadLetterQuery(source, errorType, from, to, null, replayed))));
        if (page.size() == pageSize) {
            answer.header(NEXT_BEFORE_ID, Long.toString(page.get(page.size() - 1).id()));
        }
        return answer.body(page);
    }

    /** One dead letter with its original body ({@code payload}) and headers. */
    @GetMapping("/{id}")
    public ResponseEntity<?> one(@PathVariable long id) {
        return store.find(id).<ResponseEntity<?>>map(ResponseEntity::ok).orElseGet(() -> notFound(id));
    }

    /** Replays one dead letter; refused (409) for a {@code too_large} one, which is never replayed (CONTRACT §2). */
    @PostMapping("/{id}/replay")
    public ResponseEntity<Map<String, Object>> replay(@PathVariable long id) throws Exception {
        var deadLetter = store.find(id);
        if (deadLetter.isEmpty()) {
            return notFound(id);
        }
        if (DeadLetterStore.NEVER_REPLAYED.equals(deadLetter.get().errorType())) {
            return ResponseEntity.status(409).body(tooLarge(deadLetter.get()));
        }
        if (!replayer.replay(id)) {
            return notFound(id);
        }
        return ResponseEntity.ok(Map.of("replayed", 1, "id", id));
    }

    /** Replays the pending dead letters of a source, leaving out the {@code too_large} ones (never replayed). */
    @PostMapping("/replay")
    public ResponseEntity<Map<String, Object>> replayAll(@RequestParam String source) throws Exception {
        return ResponseEntity.ok(Map.of("replayed", replayer.replayAll(source), "source", source));
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<Map<String, Object>> delete(@PathVariable long id) {
        if (!store.delete(id)) {
            return notFound(id);
        }
        return ResponseEntity.ok(Map.of("deleted", 1, "id", id));
    }

    /** Deletes every dead letter matching the filters; refused (400) unless {@code confirm=yes}. */
    @DeleteMapping
    public ResponseEntity<Map<String, Object>> purge(
            @RequestParam(required = false) String source,
            @RequestParam(name = "error_type", required = false) String errorType,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime to,
            @RequestParam(required = false) Boolean replayed,
            @RequestParam(required = false) String confirm) {
        DeadLetterQuery query = new DeadLetterQuery(source, errorType, from, to, null, replayed);
        if (!CONFIRM.equals(confirm)) {
            Map<String, Object> refusal = new LinkedHashMap<>();
            refusal.put("error", "purge deletes dead letters for good: repeat with confirm=yes");
            refusal.put("would_delete", store.count(query));
            return ResponseEntity.badRequest().body(refusal);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deleted", store.purge(query));
        body.put("source", source == null ? "*" : source);
        return ResponseEntity.ok(body);
    }

    private static Map<String, Object> tooLarge(DeadLetter deadLetter) {
        Map<String, Object> refusal = new LinkedHashMap<>();
        refusal.put("error", "dead letter " + deadLetter.id() + " is too_large: a message over the size limit is never"
                + " replayed (it would only fail again); the whole message is on the dead-letter queue of source "
                + deadLetter.source() + ", with x-dead-letter-id " + deadLetter.deadLetterId());
        refusal.put("id", deadLetter.id());
        refusal.put("error_type", deadLetter.errorType());
        refusal.put("dead_letter_id", deadLetter.deadLetterId());
        Object size = deadLetter.headers().get(DeadLetterHeaders.PAYLOAD_SIZE);
        if (size != null) {
            refusal.put("payload_size", size);
            refusal.put("payload_sha256", deadLetter.headers().get(DeadLetterHeaders.PAYLOAD_SHA256));
        }
        return refusal;
    }

    private static ResponseEntity<Map<String, Object>> notFound(long id) {
        return ResponseEntity.status(404).body(Map.of("error", "no dead letter " + id));
    }
}
